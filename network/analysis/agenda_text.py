"""The coordination agenda for people to read: plain text, Markdown and a standalone page that prints on A4."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

from network.analysis.words import count, long_date

__all__ = ["AGENDA_CSS", "PRINT_CSS", "agenda_text", "agenda_markdown", "agenda_markdown_section", "agenda_html",
           "agenda_html_section", "scope_words"]

#: Findings listed under an item in the printable versions (the rest are counted).
SHOWN_FINDINGS = 5

#: The agenda's own style (in the agenda page and the report): one item never split across an A4 page.
AGENDA_CSS = (
    "ol.agenda{padding-left:1.6rem}ol.agenda>li{margin:0 0 1rem}"
    ".agenda .action{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:#555}"
    ".agenda .what{font-weight:600;margin:.1rem 0}.agenda .why,.agenda .score,.meta{color:#444;margin:.1rem 0}"
    ".agenda .due{color:#b00020}.agenda ul{margin:.2rem 0;font-size:.9rem}.agenda summary{cursor:pointer;color:#0b5cab}"
    "@page{size:A4;margin:15mm}"
    "@media print{body{margin:0;max-width:none;font-size:10.5pt;color:#000}"
    "ol.agenda>li{break-inside:avoid;page-break-inside:avoid}h1,h2{break-after:avoid}}"
)
#: The standalone agenda page's style.
PRINT_CSS = ("body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222;"
             "line-height:1.4}" + AGENDA_CSS)


def scope_words(agenda: dict[str, Any]) -> str:
    """Which part of the network ``agenda`` covers, in words.

    >>> scope_words({"scope": {"district": "Sekhukhune"}}), scope_words({"scope": {}})
    ('District: Sekhukhune', 'The whole network')
    """
    scope = agenda.get("scope") or {}
    if not scope:
        return "The whole network"
    (kind, name), = scope.items()
    return f"{kind.capitalize()}: {name}"


def _long(day: str | None) -> str:
    return long_date(dt.date.fromisoformat(day)) if day else ""


def _lines(item: dict[str, Any]) -> tuple[str, str, str]:
    """An item's heading, its score line and its due line (empty when not due)."""
    heading = f"{item['rank']}. {item['action_label']}"
    score = f"Score {item['score']:g}: {item['score_explanation']}"
    due = f"Due by {_long(item.get('due'))}" if item.get("due") else ""
    return heading, score, due


def agenda_text(agenda: dict[str, Any]) -> str:
    """The agenda as plain text for a terminal: each item's action, what to do, why and its score.

    Examples
    --------
    >>> item = {"rank": 1, "action_label": "Renew an agreement", "what": "Renew the MoU between A and B",
    ...         "why": "It ends soon.", "score": 9.5, "score_explanation": "9.5 for renewing", "due": "2026-12-01",
    ...         "findings": [{"explanation": "The MoU ends."}]}
    >>> print(agenda_text({"as_of": "2026-11-23", "scope": {}, "items": [item]}))
    Coordination agenda · 23 November 2026 · The whole network · 1 item
    <BLANKLINE>
    1. Renew an agreement
       Renew the MoU between A and B
       Why: It ends soon.
       Score 9.5: 9.5 for renewing
       Due by 1 December 2026
    """
    items = agenda["items"]
    lines = [f"Coordination agenda · {_long(agenda['as_of'])} · {scope_words(agenda)} · "
             f"{count(len(items), 'item')}"]
    for item in items:
        heading, score, due = _lines(item)
        lines += ["", heading, f"   {item['what']}", f"   Why: {item['why']}", f"   {score}"]
        if due:
            lines.append(f"   {due}")
    if not items:
        lines += ["", "Nothing to act on."]
    return "\n".join(lines)


def _md(value: Any) -> str:
    text = str(value)
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return text


def agenda_markdown_section(agenda: dict[str, Any], *, level: int = 2) -> list[str]:
    """The agenda as Markdown lines under a heading of ``level`` (for the report and the agenda alike)."""
    lines = [f"{'#' * level} Agenda ({count(len(agenda['items']), 'item')})", ""]
    for item in agenda["items"]:
        heading, score, due = _lines(item)
        lines += [f"{'#' * (level + 1)} {_md(heading)}", "", f"**{_md(item['what'])}**", "",
                  f"Why: {_md(item['why'])}", "", f"_{_md(score)}_" + (f" · {_md(due)}" if due else ""), ""]
        found = item.get("findings") or []
        lines += [f"- {_md(f['explanation'])}" for f in found[:SHOWN_FINDINGS]]
        if len(found) > SHOWN_FINDINGS:
            lines.append(f"- … and {len(found) - SHOWN_FINDINGS} more")
        lines.append("")
    if not agenda["items"]:
        lines += ["Nothing to act on.", ""]
    return lines


def agenda_markdown(agenda: dict[str, Any]) -> str:
    """The agenda as a Markdown document; every value from the data is escaped.

    >>> agenda_markdown({"as_of": "2026-11-23", "scope": {"province": "Limpopo"}, "items": []}).splitlines()[:3]
    ['# Coordination agenda', '', 'As of 23 November 2026 · Province: Limpopo']
    """
    head = ["# Coordination agenda", "", f"As of {_long(agenda['as_of'])} · {_md(scope_words(agenda))}", ""]
    return "\n".join(head + agenda_markdown_section(agenda)) + "\n"


def agenda_html_section(agenda: dict[str, Any], *, level: int = 2) -> str:
    """The agenda as an HTML fragment: a heading and an ordered list, every value escaped.

    Each item's findings are one click away in a closed ``<details>``, so the agenda prints compact.
    """
    e = html.escape
    parts = [f"<h{level}>Agenda ({count(len(agenda['items']), 'item')})</h{level}>"]
    if not agenda["items"]:
        return parts[0] + "<p>Nothing to act on.</p>"
    parts.append('<ol class="agenda">')
    for item in agenda["items"]:
        _, score, due = _lines(item)
        found = item.get("findings") or []
        parts.append(
            f'<li id="item-{item["rank"]}"><p class="action">{e(item["action_label"])}</p>'
            f'<p class="what">{e(item["what"])}</p><p class="why">Why: {e(item["why"])}</p>'
            f'<p class="score">{e(score)}</p>' + (f'<p class="due">{e(due)}</p>' if due else "")
            + f"<details><summary>The {count(len(found), 'finding')} it resolves</summary><ul>"
            + "".join(f"<li>{e(f['explanation'])}</li>" for f in found[:SHOWN_FINDINGS])
            + (f"<li>… and {len(found) - SHOWN_FINDINGS} more</li>" if len(found) > SHOWN_FINDINGS else "")
            + "</ul></details></li>")
    parts.append("</ol>")
    return "".join(parts)


def agenda_html(agenda: dict[str, Any]) -> str:
    """The agenda as one standalone HTML page that prints on A4 and loads nothing from anywhere.

    >>> page = agenda_html({"as_of": "2026-11-23", "scope": {}, "items": []})
    >>> page.startswith("<!DOCTYPE html>"), "@page{size:A4" in page, "http" in page
    (True, True, False)
    """
    e = html.escape
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>Coordination agenda {e(agenda['as_of'])}</title><style>{PRINT_CSS}</style></head>\n<body>\n"
        f"<h1>Coordination agenda</h1><p class=\"meta\">As of {e(_long(agenda['as_of']))} · "
        f"{e(scope_words(agenda))}</p>\n{agenda_html_section(agenda)}\n</body></html>\n"
    )
