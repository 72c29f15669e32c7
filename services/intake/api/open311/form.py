"""The body of ``POST requests``: a urlencoded form (the standard's encoding) read into plain strings.

``attribute[code]`` fields are set apart by code (``attribute[code][]`` too, its last value kept: no
attribute here takes several). ``api_key`` may come in the query string, where some clients put it.
Bodies over 64 KiB are refused before they are read whole, as the web form's are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi import Request

from services.intake.api.open311.errors import Open311Error
from shared.service.body_limit import BodyTooLargeError

_ATTRIBUTE = re.compile(r"attribute\[([^\]]*)\](?:\[\])?")
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class RequestForm:
    """The fields sent, by name; ``attributes`` by code."""

    fields: dict[str, str]
    attributes: dict[str, str]

    @property
    def api_key(self) -> str | None:
        return self.fields.get("api_key") or None


async def read_form(request: Request) -> RequestForm:
    """The form of ``request``; raises :class:`Open311Error` (400, 413) when it cannot be read."""
    try:
        body = await request.body()
    except BodyTooLargeError as error:
        raise Open311Error.of(413, error.detail) from None
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("", _FORM):
        raise Open311Error.of(400, f"the body must be a form ({_FORM})")
    pairs: list[tuple[str, str]] = list(request.query_params.multi_items())
    try:
        pairs += parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=200, strict_parsing=False
        )
    except (UnicodeDecodeError, ValueError):
        raise Open311Error.of(400, "the body is not a UTF-8 urlencoded form") from None
    fields: dict[str, str] = {}
    attributes: dict[str, str] = {}
    for key, value in pairs:
        attribute = _ATTRIBUTE.fullmatch(key)
        if attribute:
            attributes[attribute.group(1)] = value
        else:
            fields.setdefault(key, value)
    return RequestForm(fields, attributes)
