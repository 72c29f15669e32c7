"""``X-Hub-Signature-256``: Meta signs every webhook delivery with the app secret (docs/contract.md §HTTP).

The HMAC-SHA256 is over the raw bytes of the body as they arrived: JSON read and written again (Khmer text
escaped, spaces moved) would not match. Checked in constant time.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def hub_signature(app_secret: str, body: bytes) -> str:
    """The header value Meta sends for ``body``: ``sha256=<hex>``."""
    return PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(app_secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` signs ``body`` with ``app_secret``; a missing or malformed header does not."""
    if not header or not header.startswith(PREFIX):
        return False
    return hmac.compare_digest(header.encode(), hub_signature(app_secret, body).encode())
