"""Messenger mechanics shared by intake (the webhook, answers), notify (updates) and the dev Messenger
gateway: the webhook signature and the Send API client (docs/contract.md §Messenger out)."""
