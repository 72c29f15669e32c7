"""A local development SMS gateway speaking the Twilio Messages API (docs/contract.md §SMS out).

It records what it receives and shows it as JSON (``GET /messages``) and as a small page (``GET /``).
"""
