"""Twilio's request signature (``X-Twilio-Signature``): HMAC-SHA1, base64, over the URL and the form.

The signed text is the full URL the provider posted to, followed by every form parameter's name and
value, sorted by name (then value), a pair repeated counting once. A signature is accepted over the URL as
given, with its default port added and with its port taken away, as Twilio's own ``RequestValidator``
accepts it (Twilio signs one or the other, depending on how the URL was configured). Compared in constant
time. ``tests/unit/sms`` proves both against the ``twilio`` package.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlsplit


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The signature Twilio sends for a POST of ``params`` to ``url``."""
    text = url + "".join(name + value for name, value in sorted(set(params)))
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
        hmac.compare_digest(twilio_signature(auth_token, variant, pairs).encode(), signature.encode())
        for variant in {variant for url in urls for variant in url_variants(url)}
    )


def url_variants(url: str) -> set[str]:
    """``url`` as given, with the scheme's default port, and without a port (the host kept as written)."""
    parts = urlsplit(url)
    if parts.port:
        bare = parts.netloc.rsplit(":", 1)[0]
        return {url, parts._replace(netloc=bare).geturl()}
    port = 443 if parts.scheme == "https" else 80
    return {url, parts._replace(netloc=f"{parts.netloc}:{port}").geturl()}
