"""The dev Messenger gateway's page (``GET /``): each conversation, newest first, and a form to write as a
citizen. Plain HTML forms, no script: it works in any browser and under a strict Content Security Policy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from services.devmessenger.conversations import Line

_STYLE = """
body { font-family: system-ui, "Noto Sans Khmer", "Khmer OS", sans-serif; margin: 1.5rem; color: #222; }
section { border: 1px solid #ddd; border-radius: .5rem; margin: 1rem 0; padding: .5rem 1rem; }
section { max-width: 48rem; }
.in, .out { margin: .35rem 0; padding: .4rem .6rem; border-radius: .6rem; white-space: pre-wrap; }
.in, .out { max-width: 36rem; }
.in { background: #eee; } .out { background: #0866ff; color: #fff; margin-left: auto; }
.meta { font-size: .8rem; color: #777; } .out .meta { color: #dde; }
label { display: block; margin: .3rem 0; } textarea { width: 100%; }
"""


def _line(line: Line) -> str:
    extra = "".join(f" [{escape(a['type'])}: {escape(a['url'])}]" for a in line.attachments)
    when = escape(line.at.strftime("%Y-%m-%d %H:%M:%S"))
    return (
        f"<div class={line.direction}>{escape(line.text)}{extra}"
        f"<div class=meta>{when} · {escape(line.detail)}</div></div>"
    )


def _form(psid: str = "") -> str:
    return (
        "<form method=post action=/citizens/write>"
        f"<label>PSID <input name=psid required maxlength=100 value='{escape(psid, quote=True)}'></label>"
        "<label>Message <textarea name=text rows=3 maxlength=4000></textarea></label>"
        "<label>Image URL (optional) <input name=image_url type=url></label>"
        "<button type=submit>Send as the citizen</button></form>"
    )


def render_page(conversations: Mapping[str, Sequence[Line]], counts: Mapping[str, int]) -> str:
    sections = "".join(
        f"<section><h2>{escape(psid)}</h2>{''.join(_line(x) for x in lines)}{_form(psid)}</section>"
        for psid, lines in reversed(list(conversations.items()))
    )
    summary = ", ".join(f"{escape(k)} {v}" for k, v in sorted(counts.items())) or "nothing sent yet"
    return (
        "<!doctype html><html><head><meta charset=utf-8>"
        '<meta http-equiv="refresh" content="10"><title>dev Messenger gateway</title>'
        f"<style>{_STYLE}</style></head><body>"
        "<h1>Dev Messenger gateway</h1>"
        f"<p>Send API answers: {summary}. JSON: <a href=/messages>/messages</a>, "
        "<a href=/conversations>/conversations</a>; faults: <a href=/control>/control</a>.</p>"
        f"<section><h2>Write as a new citizen</h2>{_form()}</section>{sections}</body></html>"
    )
