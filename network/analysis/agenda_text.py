"""The coordination agenda for people to read: plain text, Markdown and a standalone page that prints on A4.

Each is written in the caller's language (:func:`network.translation.current_language`: the command line's
``--language``, a request's ``Accept-Language``): headings, labels and counts from the catalogs, dates as the
language writes them, and the analysis's English sentences translated by their templates
(:func:`network.translation.sentence`). The agenda itself (its JSON) keeps the analysis's English.
"""

from __future__ import annotations

import html
from typing import Any

from network.model import vocabulary
from network.translation import current_language, local_date, local_number, ntranslate, sentence, translate

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
    """Which part of the network ``agenda`` covers, in words (an intervention area by its label).

    >>> scope_words({"scope": {"district": "Sekhukhune"}}), scope_words({"scope": {}})
    ('District: Sekhukhune', 'The whole network')
    >>> scope_words({"scope": {"intervention_area": "community_led_monitoring"}})
    'Intervention area: Community-led monitoring and research'
    """
    scope = agenda.get("scope") or {}
    if not scope:
        return translate("The whole network")
    (kind, name), = scope.items()
    if kind == "district":
        return translate("District: %(name)s", name=name)
    if kind == "province":
        return translate("Province: %(name)s", name=name)
    if kind == "intervention_area":
        return translate("Intervention area: %(name)s",
                         name=translate(vocabulary().intervention_areas.get(name, name.replace("_", " "))))
    return translate("Programme: %(name)s", name=name)


def _items(agenda: dict[str, Any]) -> str:
    return ntranslate("%(num)d item", "%(num)d items", len(agenda["items"]))


def _lines(item: dict[str, Any]) -> tuple[str, str, str]:
    """An item's heading, its score line and its due line (empty when not due), in the current language."""
    heading = f"{item['rank']}. {translate(item['action_label'])}"
    score = translate("Score %(score)s: %(explanation)s", score=local_number(item["score"]),
                      explanation=sentence(item.get("score_explanation", "")))
    due = translate("Due by %(day)s", day=local_date(item.get("due"))) if item.get("due") else ""
    return heading, score, due


def _why(item: dict[str, Any]) -> str:
    return translate("Why: %(why)s", why=sentence(item["why"]))


def _more(found: list[dict[str, Any]]) -> str:
    """``… and 3 more`` past the findings shown; nothing when all are shown."""
    rest = len(found) - SHOWN_FINDINGS
    return ntranslate("… and %(num)d more", "… and %(num)d more", rest) if rest > 0 else ""


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
    lines = [" · ".join((translate("Coordination agenda"), local_date(agenda["as_of"]), scope_words(agenda),
                         _items(agenda)))]
    for item in items:
        heading, score, due = _lines(item)
        lines += ["", heading, f"   {sentence(item['what'])}", f"   {_why(item)}", f"   {score}"]
        if due:
            lines.append(f"   {due}")
    if not items:
        lines += ["", translate("Nothing to act on.")]
    return "\n".join(lines)


def _md(value: Any) -> str:
    text = str(value)
    for char in "\\`*_[]<>|#":
        text = text.replace(char, "\\" + char)
    return text


def agenda_markdown_section(agenda: dict[str, Any], *, level: int = 2) -> list[str]:
    """The agenda as Markdown lines under a heading of ``level`` (for the report and the agenda alike)."""
    lines = [f"{'#' * level} " + ntranslate("Agenda (%(num)d item)", "Agenda (%(num)d items)", len(agenda["items"])),
             ""]
    for item in agenda["items"]:
        heading, score, due = _lines(item)
        lines += [f"{'#' * (level + 1)} {_md(heading)}", "", f"**{_md(sentence(item['what']))}**", "",
                  _md(_why(item)), "", f"_{_md(score)}_" + (f" · {_md(due)}" if due else ""), ""]
        found = item.get("findings") or []
        lines += [f"- {_md(sentence(f['explanation']))}" for f in found[:SHOWN_FINDINGS]]
        if _more(found):
            lines.append(f"- {_md(_more(found))}")
        lines.append("")
    if not agenda["items"]:
        lines += [_md(translate("Nothing to act on.")), ""]
    return lines


def agenda_markdown(agenda: dict[str, Any]) -> str:
    """The agenda as a Markdown document; every value from the data is escaped.

    >>> agenda_markdown({"as_of": "2026-11-23", "scope": {"province": "Limpopo"}, "items": []}).splitlines()[:3]
    ['# Coordination agenda', '', 'As of 23 November 2026 · Province: Limpopo']
    """
    title, as_of = translate("Coordination agenda"), translate("As of %(day)s", day=local_date(agenda["as_of"]))
    head = [f"# {_md(title)}", "", f"{_md(as_of)} · {_md(scope_words(agenda))}", ""]
    return "\n".join(head + agenda_markdown_section(agenda)) + "\n"


def agenda_html_section(agenda: dict[str, Any], *, level: int = 2) -> str:
    """The agenda as an HTML fragment: a heading and an ordered list, every value escaped.

    Each item's findings are one click away in a closed ``<details>``, so the agenda prints compact.
    """
    e = html.escape
    heading = ntranslate("Agenda (%(num)d item)", "Agenda (%(num)d items)", len(agenda["items"]))
    parts = [f"<h{level}>{e(heading)}</h{level}>"]
    if not agenda["items"]:
        return parts[0] + "<p>" + e(translate("Nothing to act on.")) + "</p>"
    parts.append('<ol class="agenda">')
    for item in agenda["items"]:
        _, score, due = _lines(item)
        found = item.get("findings") or []
        resolves = ntranslate("The %(num)d finding it resolves", "The %(num)d findings it resolves", len(found))
        parts.append(
            f'<li id="item-{item["rank"]}"><p class="action">{e(translate(item["action_label"]))}</p>'
            f'<p class="what">{e(sentence(item["what"]))}</p><p class="why">{e(_why(item))}</p>'
            f'<p class="score">{e(score)}</p>' + (f'<p class="due">{e(due)}</p>' if due else "")
            + f"<details><summary>{e(resolves)}</summary><ul>"
            + "".join(f"<li>{e(sentence(f['explanation']))}</li>" for f in found[:SHOWN_FINDINGS])
            + (f"<li>{e(_more(found))}</li>" if _more(found) else "")
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
    title, day = translate("Coordination agenda"), local_date(agenda["as_of"])
    as_of = translate("As of %(day)s", day=day)
    return (
        f"<!DOCTYPE html>\n<html lang=\"{e(current_language())}\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{e(title)} · {e(day)}</title><style>{PRINT_CSS}</style></head>\n<body>\n"
        f"<h1>{e(title)}</h1><p class=\"meta\">{e(as_of)} · "
        f"{e(scope_words(agenda))}</p>\n{agenda_html_section(agenda)}\n</body></html>\n"
    )
