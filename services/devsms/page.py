"""The dev gateway's web page (``GET /``): what it received, newest first, refreshed every few seconds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from services.devsms.inbox import ReceivedMessage

_STYLE = """
body { font-family: system-ui, "Noto Sans Khmer", "Khmer OS", sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.body { white-space: pre-wrap; max-width: 48rem; }
.delivered { color: #176f2c; } .undelivered, .failed { color: #a1261b; } .muted { color: #777; }
"""


def render_page(messages: Sequence[ReceivedMessage], counts: Mapping[str, int], shown: int = 500) -> str:
    """The HTML page; only the newest ``shown`` messages are listed."""
    rows = "".join(
        f"<tr><td class=muted>{escape(m.date_created.strftime('%Y-%m-%d %H:%M:%S'))}</td>"
        f"<td>{escape(m.to)}</td><td>{escape(m.from_)}</td>"
        f"<td class={escape(m.status)}>{escape(m.status)}</td>"
        f"<td>{m.num_segments} × {escape(m.encoding)}</td>"
        f"<td class=body>{escape(m.body)}</td></tr>"
        for m in reversed(messages[-shown:])
    )
    summary = ", ".join(f"{escape(name)} {count}" for name, count in sorted(counts.items())) or "nothing yet"
    return (
        "<!doctype html><html><head><meta charset=utf-8>"
        '<meta http-equiv="refresh" content="5"><title>dev SMS gateway</title>'
        f"<style>{_STYLE}</style></head><body>"
        "<h1>Dev SMS gateway</h1>"
        f"<p>{len(messages)} messages received ({summary}). JSON: <a href=/messages>/messages</a>, "
        "faults: <a href=/control>/control</a>.</p>"
        "<table><tr><th>received</th><th>to</th><th>from</th><th>status</th><th>segments</th><th>body</th></tr>"
        f"{rows}</table></body></html>"
    )
