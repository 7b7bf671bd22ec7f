"""The coordination report: every finding, the network's structure and the links to agree, in one document."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from network.analysis.agenda import agenda_weights
from network.analysis.agenda_text import AGENDA_CSS, agenda_html_section, agenda_markdown_section
from network.analysis.duplication import duplication
from network.analysis.finding import SEVERITIES, Finding, gap_order, not_negative, plain
from network.analysis.gaps import closable_gaps, standing_gaps
from network.analysis.geography import province_of
from network.analysis.layers import Layers
from network.analysis.offers import Offers
from network.analysis.recommend import Recommendation, recommend_links
from network.analysis.structure import structure_summary
from network.gcpause import gc_paused
from network.model import Vocabulary, today, vocabulary
from network.side_by_side import side_by_side
from network.translation import current_language, local_date, local_number, ntranslate, sentence, translate

__all__ = [
    "FINDING_TYPES", "ReportParts", "coordination_report", "finding_rows", "report_html", "report_lines",
    "report_markdown", "report_parts",
]

#: Every finding type, in the order reports list them.
FINDING_TYPES = (
    "isolated", "broken_cascade", "uncovered", "unreachable", "single_point_of_failure", "siloed_cluster",
    "expiring_agreement", "cross_border_gap", "one_way_data", "area_unlinked", "service_overlap", "duplicate_record",
    "funding_overlap", "repeated_barrier", "low_trust_dependency",
)
#: The finding types made from monitoring reports (``analysis.barriers``), given to the report as ``extra``.
MONITORING_TYPES = ("repeated_barrier",)
#: The finding types made from tie survey scores (``analysis.trust``), given to the report as ``extra``
#: (for administrators only: a tie's score rests on one or two answers).
SURVEY_TYPES = ("low_trust_dependency",)
#: Betweenness in the report is exact up to this many organisations ...
REPORT_BETWEENNESS_THRESHOLD = 500
#: ... and estimated from this many sources above it (each costs ~0.3 s at 50,000 organisations).
REPORT_BETWEENNESS_SAMPLE = 20
#: The report computes its two halves at once (:func:`network.side_by_side.side_by_side`) from this many links in
#: force; on fewer, a second process costs about what it saves.
REPORT_APART_FROM_LINKS = 20_000
#: Recommendations in the report.
REPORT_RECOMMENDATIONS = 20
#: Findings of one type shown in the readable versions (the JSON and CSV rows hold them all).
SHOWN_PER_TYPE = 100

_COLUMNS = ("type", "severity", "organisations", "district", "population", "service", "links", "explanation",
            "details")


def coordination_report(
    G: nx.MultiDiGraph,
    *,
    as_of: dt.date | None = None,
    province: str | None = None,
    max_hops: int = 3,
    within_days: int = 90,
    extra: Sequence[Finding] = (),
) -> dict[str, Any]:
    """Build the coordination report of the network on ``as_of``, optionally for one province.

    Parameters
    ----------
    G : nx.MultiDiGraph
        The projected partner graph.
    as_of : date, optional
        The day the network is looked at (default today).
    province : str, optional
        Report on this province only (a name from the vocabulary).
    max_hops : int, default 3
        Referral steps allowed when looking for ``unreachable`` services.
    within_days : int, default 90
        Horizon of ``expiring_agreement`` findings.
    extra : sequence of Finding, optional
        Findings made from other records than the graph (``repeated_barrier``
        from monitoring reports), reported with the others.

    Returns
    -------
    dict
        A JSON-ready document (dates as ISO strings, only lists, dicts, strings,
        numbers, booleans and None):

        * ``as_of``, ``province``;
        * ``summary``: ``organisations`` (active), ``links`` (in force),
          ``findings`` (their number), ``by_type`` (each of
          ``FINDING_TYPES``) and ``by_severity``;
        * ``findings``: every finding as a dict (``type``, ``severity``,
          ``organisations``, ``district``, ``population``, ``service``, ``links``,
          ``explanation``, ``details``), most severe first;
        * ``structure``: ``structure_summary`` (betweenness exact up to
          ``REPORT_BETWEENNESS_THRESHOLD`` organisations, else from
          ``REPORT_BETWEENNESS_SAMPLE`` sources);
        * ``recommendations``: up to ``REPORT_RECOMMENDATIONS`` links that close
          the reported gaps, as ``Recommendation.to_dict()``;
        * ``provinces``: ``{province: {"organisations", "links", type: count, ...}}``
          for every province of the vocabulary (only the chosen one, if given).

    Raises
    ------
    ValueError
        If ``province`` is not a province of the vocabulary.

    Notes
    -----
    An organisation is located in its ``province``, or failing that in the
    province of its ``district``; national and regional bodies may be in none.
    A link in force counts in the province of each of its ends (once in the
    summary of the whole network or of one province). A finding belongs to the
    province of its ``district`` and, when it has no district, to the provinces
    of its organisations, so one about two organisations in different provinces
    counts in both. With ``province``, the findings, the counts and the
    structure (of the organisations located there, and the ties among them) are
    that province's; recommendations close its gaps but may reach partners
    across its border.

    From ``REPORT_APART_FROM_LINKS`` links in force, the report computes its two
    halves at once where it can (:func:`network.side_by_side.side_by_side`: on
    Linux, with two CPUs, in a process running no other thread, such as the
    command line): the gaps a link closes, the duplication and the
    recommendations in this process; the other gaps and the structure in a
    forked child. The report is the same either way.

    Examples
    --------
    >>> import datetime as dt
    >>> from network.model import Link, Organisation
    >>> from network.graph.project import build_graph
    >>> orgs = [Organisation("a", "Hope CBO", "cbo", province="Limpopo", district="Waterberg",
    ...                      services=["tb_screening"]),
    ...         Organisation("b", "Sizwe Clinic", "clinic", province="Limpopo", district="Waterberg",
    ...                      services=["tb_treatment", "tb_adherence_support", "tb_contact_tracing"]),
    ...         Organisation("c", "Thusong HBC", "cbo", province="Free State", district="Mangaung")]
    >>> report = coordination_report(build_graph(orgs, []), as_of=dt.date(2026, 1, 1))
    >>> report["summary"]["by_type"]["isolated"], report["summary"]["by_type"]["broken_cascade"]
    (3, 1)
    >>> report["provinces"]["Limpopo"]["organisations"], report["recommendations"][0]["target"]
    (2, 'b')
    """
    with gc_paused():  # the document's dicts too: a collection would walk the whole graph
        return report_parts(G, as_of=as_of, province=province, max_hops=max_hops, within_days=within_days,
                            extra=extra).document()


@dataclass
class ReportParts:
    """What a coordination report is made of, before it is written: findings as :class:`Finding`, most severe first."""

    as_of: dt.date
    province: str | None
    summary: dict[str, Any]
    findings: list[Finding]
    structure: dict[str, Any]
    recommendations: list[dict[str, Any]]
    provinces: dict[str, dict[str, int]]

    def document(self) -> dict[str, Any]:
        """The report as one JSON-ready document (see :func:`coordination_report`)."""
        return {"as_of": self.as_of.isoformat(), "province": self.province, "summary": self.summary,
                "findings": [f.to_dict() for f in self.findings], "structure": self.structure,
                "recommendations": self.recommendations, "provinces": self.provinces}

    def records(self) -> Iterator[dict[str, Any]]:
        """The report as a stream of records, each finding made into a dict only as it is written.

        First ``{"record": "report", "as_of", "province", "summary"}``; then one
        ``{"record": "finding", ...}`` per finding, in the report's order; then
        ``{"record": "structure", "structure": ...}``, one ``{"record":
        "recommendation", ...}`` per recommendation and one ``{"record":
        "province", "province": name, ...counts}`` per province. Together they
        hold exactly what :meth:`document` holds.
        """
        yield {"record": "report", "as_of": self.as_of.isoformat(), "province": self.province,
               "summary": self.summary}
        for finding in self.findings:
            yield {"record": "finding", **finding.to_dict()}
        yield {"record": "structure", "structure": self.structure}
        for recommendation in self.recommendations:
            yield {"record": "recommendation", **recommendation}
        for name, counts in self.provinces.items():
            yield {"record": "province", "province": name, **counts}


def report_parts(
    G: nx.MultiDiGraph,
    *,
    as_of: dt.date | None = None,
    province: str | None = None,
    max_hops: int = 3,
    within_days: int = 90,
    extra: Sequence[Finding] = (),
) -> ReportParts:
    """The parts of :func:`coordination_report` (same parameters), to write as one document or as a stream.

    >>> import datetime as dt
    >>> from network.model import Organisation
    >>> from network.graph.project import build_graph
    >>> G = build_graph([Organisation("a", "Hope CBO", "cbo", province="Limpopo")], [])
    >>> day = dt.date(2026, 1, 1)
    >>> parts = report_parts(G, as_of=day)
    >>> [r["record"] for r in parts.records()][:3], parts.document() == coordination_report(G, as_of=day)
    (['report', 'finding', 'structure'], True)
    """
    voc = vocabulary()
    if province is not None and province not in voc.provinces:
        raise ValueError(f"unknown province {province!r}")
    with gc_paused():
        return _report(G, as_of or today(), province, max_hops, within_days, voc, extra)


def _report(
    G: nx.MultiDiGraph, as_of: dt.date, province: str | None, max_hops: int, within_days: int, voc: Vocabulary,
    extra: Sequence[Finding] = (),
) -> ReportParts:
    not_negative(max_hops=max_hops, within_days=within_days)
    layers, offers = Layers(G, as_of), Offers(G)
    _ = layers.backwards  # both halves read the referral arcs: built once, before they part
    located = {n: province_of(data, voc) for n, data in G.nodes(data=True)}
    districts = voc.districts
    scope = G if province is None else G.subgraph(n for n, p in located.items() if p == province)

    def closing() -> tuple[list[Finding], list[Finding], list[Recommendation]]:
        """The gaps a link closes, the duplication, and the links that close the gaps (of the province)."""
        closable = sorted(closable_gaps(G, layers, offers, max_hops=max_hops), key=gap_order)
        closed = closable if province is None else [
            f for f in closable if province in _finding_provinces(f, located, districts)]
        return (closable, duplication(G, layers=layers),
                recommend_links(G, gaps=closed, limit=REPORT_RECOMMENDATIONS, layers=layers))

    def standing() -> tuple[list[Finding], dict[str, Any]]:
        """The other gaps, and the structure of the network (or of the province)."""
        return (standing_gaps(G, layers, offers, within_days=within_days),
                structure_summary(scope, as_of=as_of, betweenness_threshold=REPORT_BETWEENNESS_THRESHOLD,
                                  sample_size=REPORT_BETWEENNESS_SAMPLE, layers=layers if scope is G else None))

    (closable, duplicates, recommendations), (others, structure) = side_by_side(
        closing, standing, apart=len(layers.links) >= REPORT_APART_FROM_LINKS)
    findings = [*sorted([*closable, *others], key=gap_order), *duplicates, *extra]
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: rank[f.severity])
    homes = [_finding_provinces(f, located, districts) for f in findings]
    organisations, links = _located_counts(layers, located)
    # every South African province; another country's only where organisations are
    provinces = [p for p in voc.provinces if voc.province_countries.get(p) == "ZA" or organisations[p]] \
        if province is None else [province]
    if province is not None:
        findings = [f for f, home in zip(findings, homes, strict=True) if province in home]
        homes = [{province}] * len(findings)
    table = {p: {"organisations": organisations[p], "links": links[p], **dict.fromkeys(FINDING_TYPES, 0)}
             for p in provinces}
    for finding, home in zip(findings, homes, strict=True):
        for p in home & table.keys():
            table[p][finding.type] = table[p].get(finding.type, 0) + 1
    severities = Counter(f.severity for f in findings)
    summary = {
        "organisations": organisations[province],
        "links": links[province],
        "findings": len(findings),
        "by_type": _tally(f.type for f in findings),
        "by_severity": {s: severities[s] for s in SEVERITIES},
    }
    return ReportParts(as_of, province, summary, findings, plain(structure),
                       plain([r.to_dict() for r in recommendations]), plain(table))


def report_lines(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """Records as JSON lines (one compact JSON object and a newline each), written one at a time.

    >>> list(report_lines([{"record": "report", "as_of": "2026-01-01"}, {"record": "finding"}]))
    ['{"record":"report","as_of":"2026-01-01"}\\n', '{"record":"finding"}\\n']
    """
    for record in records:
        yield json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"


def finding_rows(report: dict[str, Any]) -> list[dict[str, str]]:
    """The report's findings as flat rows of strings, ready for ``csv.DictWriter``.

    Parameters
    ----------
    report : dict
        A report from :func:`coordination_report`.

    Returns
    -------
    list of dict
        One row per finding with the keys ``type``, ``severity``,
        ``organisations`` and ``links`` (ids joined by ``;``), ``district``,
        ``population``, ``service`` (empty when absent), ``explanation`` and
        ``details`` (compact JSON with sorted keys).

    Examples
    --------
    >>> rows = finding_rows({"findings": [{"type": "isolated", "severity": "low", "organisations": ["a"],
    ...     "district": None, "population": None, "service": None, "links": [], "explanation": "A is alone.",
    ...     "details": {"links_not_in_force": 0}}]})
    >>> rows[0]["organisations"], rows[0]["district"], rows[0]["details"]
    ('a', '', '{"links_not_in_force":0}')
    """
    rows = []
    for f in report["findings"]:
        row = {key: "" if f.get(key) is None else str(f[key]) for key in _COLUMNS}
        row["organisations"] = ";".join(f.get("organisations") or ())
        row["links"] = ";".join(f.get("links") or ())
        row["details"] = json.dumps(f.get("details") or {}, sort_keys=True, separators=(",", ":"))
        rows.append(row)
    return rows


def report_markdown(report: dict[str, Any], *, shown: int = SHOWN_PER_TYPE) -> str:
    """The report as Markdown: summary, a table per province, findings by type, structure, recommendations.

    Parameters
    ----------
    report : dict
        A report from :func:`coordination_report`.
    shown : int, default ``SHOWN_PER_TYPE``
        Most findings listed per type (the rest are counted).

    Returns
    -------
    str
        Markdown in which every value from the data is escaped, so a name such
        as ``<b>`` or ``a|b`` shows as written.

    Examples
    --------
    >>> import datetime as dt
    >>> from network.model import Organisation
    >>> from network.graph.project import build_graph
    >>> G = build_graph([Organisation("a", "Hope_CBO", "cbo", province="Limpopo")], [])
    >>> text = report_markdown(coordination_report(G, as_of=dt.date(2026, 1, 1)))
    >>> text.splitlines()[0], "Hope\\\\_CBO has no link in force" in text
    ('# Coordination report', True)
    """
    severities, words = _severities(), _headings(report)
    lines = [f"# {_md(words['title'])}", "", f"{_md(words['as_of'])} · {_md(_scope(report))}", ""]
    if report.get("agenda"):
        lines += agenda_markdown_section(report["agenda"])
    for title, head, rows in _tables(report):
        lines += [f"## {_md(title)}", "", _md_row([_md(h) for h in head]), _md_row(["---"] * len(head))]
        lines += [_md_row([_md(cell) for cell in row]) for row in rows]
        lines.append("")
    lines += [f"## {_md(words['findings'])}", ""]
    for kind, group in _by_type(report):
        lines += [f"### {_md(_type_title(kind))} ({len(group)})", ""]
        lines += [f"- **{_md(severities.get(f['severity'], f['severity']))}** {_md(sentence(f['explanation']))}"
                  for f in group[:shown]]
        if len(group) > shown:
            lines.append(f"- {_md(_more(len(group) - shown))}")
        lines.append("")
    lines += [f"## {_md(words['recommended'])}", ""]
    lines += [f"{i}. {_md(sentence(rec['explanation']))} ({_md(_score(rec))})"
              for i, rec in enumerate(report["recommendations"], 1)]
    if not report["recommendations"]:
        lines.append(_md(words["none"]))
    return "\n".join(lines) + "\n"


def report_html(report: dict[str, Any], *, shown: int = SHOWN_PER_TYPE) -> str:
    """The report as one standalone HTML page that works offline.

    Parameters
    ----------
    report : dict
        A report from :func:`coordination_report`.
    shown : int, default ``SHOWN_PER_TYPE``
        Most findings listed per type (the rest are counted).

    Returns
    -------
    str
        A complete HTML5 document with its style inline and no scripts, fonts,
        images or links to fetch; every value from the data is HTML-escaped.

    Examples
    --------
    >>> import datetime as dt
    >>> from network.model import Organisation
    >>> from network.graph.project import build_graph
    >>> G = build_graph([Organisation("a", "<b>Hope</b>", "cbo")], [])
    >>> page = report_html(coordination_report(G, as_of=dt.date(2026, 1, 1)))
    >>> page.startswith("<!DOCTYPE html>"), "<b>Hope" in page, "&lt;b&gt;Hope&lt;/b&gt;" in page
    (True, False, True)
    """
    e = _escape
    severities, words = _severities(), _headings(report)
    body = [f"<h1>{e(words['title'])}</h1><p class=\"meta\">{e(words['as_of'])} · {e(_scope(report))}</p>"]
    if report.get("agenda"):
        body.append(agenda_html_section(report["agenda"]))
    for title, head, rows in _tables(report):
        body.append(f"<h2>{e(title)}</h2><div class=\"wide\"><table><thead><tr>"
                    f"{''.join(f'<th>{e(h)}</th>' for h in head)}</tr></thead><tbody>")
        body += ["<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>" for row in rows]
        body.append("</tbody></table></div>")
    body.append(f"<h2>{e(words['findings'])}</h2>")
    for kind, group in _by_type(report):
        body.append(f"<h3>{e(_type_title(kind))} ({len(group)})</h3><ul>")
        body += [f"<li><span class=\"{e(f['severity'])}\">{e(severities.get(f['severity'], f['severity']))}</span> "
                 f"{e(sentence(f['explanation']))}</li>" for f in group[:shown]]
        if len(group) > shown:
            body.append(f"<li>{e(_more(len(group) - shown))}</li>")
        body.append("</ul>")
    body.append(f"<h2>{e(words['recommended'])}</h2>")
    if report["recommendations"]:
        body.append("<ol>")
        body += [f"<li>{e(sentence(r['explanation']))} <small>({e(_score(r))})</small></li>"
                 for r in report["recommendations"]]
        body.append("</ol>")
    else:
        body.append(f"<p>{e(words['none'])}</p>")
    return (
        f"<!DOCTYPE html>\n<html lang=\"{e(current_language())}\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{e(words['title'])} · {e(local_date(report['as_of']))}</title><style>{_CSS}</style></head>\n<body>\n"
        + "\n".join(body) + "\n</body></html>\n"
    )


_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#222}"
    ".wide{overflow-x:auto;margin:0 0 1.5rem}table{border-collapse:collapse}"
    "th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}th{background:#f2f2f2}"
    "td:not(:first-child){text-align:right}.meta,small{color:#555}li{margin:.2rem 0}"
    "span.high,span.medium,span.low{display:inline-block;min-width:4.5em;font-weight:bold}"
    ".high{color:#b00020}.medium{color:#a65e00}.low{color:#2e6b30}" + AGENDA_CSS
)


def _finding_provinces(finding: Finding, located: dict[str, str | None], districts: dict[str, str]) -> set[str]:
    if finding.district:
        home = districts.get(finding.district)
        return {home} if home else set()
    return {p for n in finding.organisations if (p := located.get(n))}


def _located_counts(
    layers: Layers, located: dict[str, str | None]
) -> tuple[Counter[str | None], Counter[str | None]]:
    """Active organisations and links in force per province; the key None counts the whole network."""
    active, tails, heads = layers.ends
    places: dict[str | None, int] = {}
    code = np.array([places.setdefault(located[n], len(places)) for n in active], dtype=np.int64)
    names = list(places)
    nowhere = places.get(None, -1)
    at_tail, at_head = code[tails], code[heads]
    # a link counts in the province of each end, once where both ends are in one
    ends = np.concatenate([at_tail[at_tail != nowhere], at_head[(at_head != nowhere) & (at_head != at_tail)]])
    organisations = _named_counts(names, np.bincount(code, minlength=len(names)), nowhere)
    links = _named_counts(names, np.bincount(ends, minlength=len(names)), nowhere)
    organisations[None], links[None] = len(active), len(tails)
    return organisations, links


def _named_counts(names: list[str | None], counts: np.ndarray, nowhere: int) -> Counter[str | None]:
    """``counts[i]`` under ``names[i]``, leaving out the place ``nowhere`` and zero counts."""
    return Counter({names[i]: c for i, c in enumerate(counts.tolist()) if c and i != nowhere})


def _tally(types: Iterable[str]) -> dict[str, int]:
    counts = Counter(types)
    return {t: counts[t] for t in FINDING_TYPES}


def _scope(report: dict[str, Any]) -> str:
    return translate("Province: %(name)s", name=report["province"]) if report["province"] else \
        translate("All provinces")


def _headings(report: dict[str, Any]) -> dict[str, str]:
    """The report's own headings and phrases, in the current language."""
    return {"title": translate("Coordination report"),
            "as_of": translate("As of %(day)s", day=local_date(report["as_of"])), "findings": translate("Findings"),
            "recommended": translate("Recommended links"), "none": translate("No new link would close a gap.")}


def _severities() -> dict[str, str]:
    """Each severity in words, in the current language."""
    return {"high": translate("high"), "medium": translate("medium"), "low": translate("low")}


def _more(num: int) -> str:
    return ntranslate("… and %(num)d more (see the CSV download)", "… and %(num)d more (see the CSV download)", num)


def _score(recommendation: dict[str, Any]) -> str:
    """A recommended link's score and its reasons, in the current language."""
    return translate("score %(score)s: %(reasons)s", score=local_number(recommendation["score"]),
                     reasons=sentence("; ".join(recommendation["reasons"])))


def _type_title(kind: str) -> str:
    """A finding type as a heading, by its label (``Isolated organisations``), in the current language."""
    if kind == "service_overlap":
        return translate("Overlapping services")
    words = agenda_weights()["finding_types"].get(kind)
    text = translate(words[1]) if words else kind.replace("_", " ")
    return text[:1].upper() + text[1:]


def _by_type(report: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in report["findings"]:
        groups.setdefault(f["type"], []).append(f)
    order = {t: i for i, t in enumerate(FINDING_TYPES)}
    return sorted(groups.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def _tables(report: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(title, header, rows) of the summary, province and structure tables, rows holding raw values."""
    summary, structure = report["summary"], report["structure"]
    severities = _severities()
    counts = [[translate("Active organisations"), summary["organisations"]],
              [translate("Links in force"), summary["links"]], [translate("Findings"), summary["findings"]]]
    counts += [[f"— {severities.get(s, s)[:1].upper()}{severities.get(s, s)[1:]}", n]
               for s, n in summary["by_severity"].items()]
    counts += [[f"— {_type_title(t)}", n] for t, n in summary["by_type"].items() if n]
    types = [t for t in FINDING_TYPES if any(row.get(t) for row in report["provinces"].values())]
    provinces = [[p, row["organisations"], row["links"], *(row.get(t, 0) for t in types)]
                 for p, row in report["provinces"].items()]
    components, sampled = structure["components"], structure["betweenness"]
    shape = [[translate("Organisations"), structure["nodes"]], [translate("Ties"), structure["ties"]],
             [translate("Density"), f"{structure['density']:.4f}"], [translate("Components"), components["count"]],
             [translate("Largest component"), components["largest"]],
             [translate("Communities"), structure["communities"]["count"]],
             [translate("Articulation points"), len(structure["articulation_points"])],
             [translate("Bridge links"), len(structure["bridges"])]]
    central = [[row["name"], f"{row['value']:.3f}", translate("degree")] for row in structure["degree"]]
    how = (translate("betweenness (sampled from %(num)s)", num=sampled["sample_size"]) if sampled["sampled"] else
           translate("betweenness"))
    central += [[row["name"], f"{row['value']:.3f}", how] for row in sampled["top"]]
    return [
        (translate("Summary"), ["", translate("Count")], counts),
        (translate("By province"), [translate("Province"), translate("Organisations"), translate("Links"),
                                    *(_type_title(t) for t in types)], provinces),
        (translate("Structure"), ["", translate("Value")], shape),
        (translate("Most central organisations"), [translate("Organisation"), translate("Centrality"),
                                                   translate("Measure")], central),
    ]


def _escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"} | {"\n": " ", "\r": " "})


def _md(value: Any) -> str:
    """``value`` as Markdown text, its special characters backslash-escaped."""
    return str(value).translate(_MARKDOWN_SPECIAL)


def _md_row(cells: list[Any]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"
