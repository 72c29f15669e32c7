"""A local development SMS gateway speaking the Twilio Messages API (DESIGN.md B7).

It records what it receives and shows it as JSON (``GET /messages``) and as a small page (``GET /``).
"""
