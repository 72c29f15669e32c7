"""The local dev Messenger gateway (port 8026): Meta's Send API, recording instead of sending, each
conversation on a page, and a box to write as a citizen (signed webhook deliveries to intake)."""
