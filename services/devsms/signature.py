"""Twilio's request signature (``X-Twilio-Signature``), which the dev gateway puts on its receipts.

HMAC-SHA1 with the account's auth token over the full callback URL followed by every form parameter's
name and value, sorted by name; base64. (Notify checks it with its own implementation: the gateway stands
in for the provider, and two implementations tested against Twilio's published example keep each other
honest.)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The signature of a POST of ``params`` to ``url``."""
    text = url + "".join(name + value for name, value in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), text.encode(), hashlib.sha1).digest()).decode()
