"""The dev gateway's web page (``GET /``): what it received, newest first, refreshed every few seconds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from services.devsms.citizen import Exchange
from services.devsms.inbox import ReceivedMessage

_STYLE = """
body { font-family: system-ui, "Noto Sans Khmer", "Khmer OS", sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.body { white-space: pre-wrap; max-width: 48rem; }
.delivered { color: #176f2c; } .undelivered, .failed { color: #a1261b; } .muted { color: #777; }
"""


def render_page(
    messages: Sequence[ReceivedMessage],
    counts: Mapping[str, int],
    shown: int = 500,
    exchanges: Sequence[Exchange] = (),
) -> str:
    """The HTML page; only the newest ``shown`` messages are listed."""
    rows = "".join(
        f"<tr><td class=muted>{escape(m.date_created.strftime('%Y-%m-%d %H:%M:%S'))}</td>"
        f"<td>{escape(m.to)}</td><td>{escape(m.from_)}</td>"
        f"<td class={escape(m.status)}>{escape(m.status)}</td>"
        f"<td>{m.num_segments} × {escape(m.encoding)}</td>"
        f"<td class=body>{escape(m.body)}</td></tr>"
        for m in reversed(messages[-shown:])
    )
    said = "".join(
        f"<tr><td class=muted>{escape(e.at.strftime('%Y-%m-%d %H:%M:%S'))}</td><td>{escape(e.sender)}</td>"
        f"<td class=body>{escape(e.body)}</td><td class=muted>{e.status}</td>"
        f"<td class=body>{escape(e.answer)}</td></tr>"
        for e in reversed(exchanges[-shown:])
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
        f"{rows}</table>"
        "<h2>Text as a citizen</h2>"
        "<p>Posts a signed inbound SMS to intake's webhook, as the provider would: a complaint, STATUS and "
        "a reference, an answer to a unit's question, STOP, START, HELP (Khmer too).</p>"
        "<form method=post action=/citizen>"
        '<label>From <input name=From value="+85512345678" required></label> '
        "<label>Message <input name=Body size=60 required></label> <button type=submit>Send</button></form>"
        "<table><tr><th>sent</th><th>from</th><th>message</th><th>HTTP</th><th>answer</th></tr>"
        f"{said}</table></body></html>"
    )
