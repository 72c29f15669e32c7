"""Open311 answers in the standard's two formats: XML (required) and JSON, from the same plain values.

A value is a dict (an element with children, in order), a list (repeated children named by
:data:`ITEMS`), or a scalar. In XML a null is an empty element and a boolean ``true``/``false``; in
JSON they are ``null`` and booleans. Datetimes carry their offset in both.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal
from xml.etree import ElementTree

from fastapi.responses import Response

Format = Literal["xml", "json"]
FORMATS: tuple[Format, ...] = ("xml", "json")
# The element each list's items are written as (the standard's names).
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
}
_MEDIA = {"xml": "text/xml; charset=utf-8", "json": "application/json"}


def respond(
    fmt: Format, root: str, value: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """``value`` as the body of an answer: in XML under a ``root`` element, in JSON as itself."""
    if fmt == "json":
        body = json.dumps(_plain(value), ensure_ascii=False).encode()
    else:
        element = _element(root, value)
        body = ElementTree.tostring(element, encoding="utf-8", xml_declaration=True)
    return Response(body, status_code=status, media_type=_MEDIA[fmt], headers=headers)


def _element(tag: str, value: Any) -> ElementTree.Element:
    element = ElementTree.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_element(key, child))
    elif isinstance(value, list):
        for child in value:
            element.append(_element(ITEMS[tag], child))
    elif value is not None:
        element.text = _text(value)
    return element


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_plain(child) for child in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
