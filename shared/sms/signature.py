"""Twilio's request signature (``X-Twilio-Signature``): HMAC-SHA1, base64, over the URL and the form.

The signed text is the full URL the provider posted to, followed by every form parameter's name and
value, sorted by name (then value). Compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The signature Twilio sends for a POST of ``params`` to ``url``."""
    text = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_matches(
    auth_token: str, urls: Iterable[str], params: Iterable[tuple[str, str]], signature: str | None
) -> bool:
    """True when ``signature`` signs ``params`` posted to one of ``urls`` (the configured callback URL,
    and the URL the request reached us at, which differ behind a proxy)."""
    if not signature:
        return False
    pairs = list(params)
    return any(
        hmac.compare_digest(twilio_signature(auth_token, url, pairs).encode(), signature.encode())
        for url in urls
    )
