"""Network visuals: the data vis-network draws, and a standalone HTML page that opens offline."""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import networkx as nx
import pyvis

from network.analysis.gaps import linkage_gaps
from network.analysis.layers import serves, tie_graph
from network.analysis.structure import centralities
from network.analysis.ties import tie_key
from network.errors import InvalidData, NotFound
from network.model import DEFAULT_COUNTRY, PROTECTED_FIELDS, today, vocabulary
from network.translation import N_, local_date, translate

__all__ = [
    "AGGREGATE_ABOVE",
    "HIGHLIGHTED_TYPES",
    "KIND_COLOURS",
    "cluster_members",
    "cluster_overview",
    "network_data",
    "network_html",
    "ego_subgraph",
    "filter_graph",
    "default_highlights",
    "vis_asset",
    "web_dir",
]

#: Above this many organisations the network is drawn as districts that expand on click.
AGGREGATE_ABOVE = 1500
#: Finding types whose first organisation a drawing highlights (as the explorer page does).
HIGHLIGHTED_TYPES = ("isolated", "broken_cascade", "single_point_of_failure")

#: Betweenness is estimated from this many sources on graphs too large to count exactly.
_SAMPLE_SIZE = 64

KIND_COLOURS = {
    "cbo": "#1b9e77", "ngo": "#66a61e", "kp_network": "#e7298a", "faith_based": "#a6761d",
    "trade_union": "#d95f02", "ex_mineworkers_association": "#e6ab02", "regional_body": "#7570b3",
    "clinic": "#1f78b4", "hospital": "#0b3c6e", "government": "#6a3d9a", "mining_company": "#666666",
    "industry_body": "#999999", "donor": "#b15928", "private_provider": "#33a02c", "academic": "#fb9a99",
    "other": "#bbbbbb",
}
_PALETTE = list(KIND_COLOURS.values())
#: Protected fields shown in tooltips (coordinates are never embedded).
_CONTACT_FIELDS = tuple(f for f in PROTECTED_FIELDS if f not in ("latitude", "longitude", "description",
                                                         "external_ids"))
_VIS_DIR = Path(pyvis.__file__).resolve().parent / "lib" / "vis-9.1.2"
_VIS_FILES = {"vis-network.min.js": _VIS_DIR / "vis-network.min.js",
              "vis-network.css": _VIS_DIR / "vis-network.css"}


def web_dir() -> Path:
    """The repository's ``web/`` folder: templates and static assets."""
    return Path(__file__).resolve().parents[1] / "web"


@lru_cache(maxsize=4)
def vis_asset(name: str) -> str:
    """The text of a vendored vis-network file (``vis-network.min.js`` or ``vis-network.css``).

    vis-network ships inside the pyvis package; nothing is fetched from the internet.
    """
    if name not in _VIS_FILES:
        raise NotFound(translate("No vendored asset named '%(name)s'.", name=name))
    return _VIS_FILES[name].read_text(encoding="utf-8")


def filter_graph(
    G: nx.MultiDiGraph,
    *,
    province: str | None = None,
    district: str | None = None,
    kind: str | None = None,
    service: str | None = None,
    population: str | None = None,
    link_kind: str | None = None,
    country: str | None = None,
    intervention_area: str | None = None,
) -> nx.MultiDiGraph:
    """The organisations matching every given filter, and the links among them.

    ``population`` keeps organisations serving it (an empty population list
    serves everyone); ``intervention_area`` those working in that area;
    ``country`` those in that country (South Africa when the record names
    none); ``link_kind`` keeps only links of that kind (the organisations
    stay). ``None`` means no filter.

    Examples
    --------
    >>> from network.model import Link, Organisation
    >>> from network.graph.project import build_graph
    >>> G = build_graph([Organisation("a", "A", "cbo", district="Sekhukhune"),
    ...                  Organisation("b", "B", "clinic", district="Waterberg")],
    ...                 [Link("l1", "a", "b", "referral")])
    >>> sorted(filter_graph(G, district="Sekhukhune")), filter_graph(G, link_kind="mou").number_of_edges()
    (['a'], 0)
    """
    keep = [
        n for n, d in G.nodes(data=True)
        if (province is None or d.get("province") == province)
        and (district is None or d.get("district") == district)
        and (kind is None or d.get("kind") == kind)
        and (service is None or service in (d.get("services") or []))
        and (population is None or serves(G, n, population))
        and (country is None or (d.get("country") or DEFAULT_COUNTRY) == country)
        and (intervention_area is None or intervention_area in (d.get("intervention_areas") or []))
    ]
    H = G.subgraph(keep).copy()
    if link_kind is not None:
        H.remove_edges_from([(u, v, k) for u, v, k, kd in H.edges(keys=True, data="kind") if kd != link_kind])
    return H


def ego_subgraph(G: nx.MultiDiGraph, centre: str, depth: int = 1) -> nx.MultiDiGraph:
    """The organisations within ``depth`` links of ``centre`` (either direction), and the links among them.

    Raises ``NotFound`` if ``centre`` is not in the graph and ``InvalidData`` for a negative depth.

    Examples
    --------
    >>> from network.model import Link, Organisation
    >>> from network.graph.project import build_graph
    >>> G = build_graph([Organisation(c, c, "cbo") for c in "abcd"],
    ...                 [Link("l1", "a", "b", "mou"), Link("l2", "c", "b", "referral"), Link("l3", "c", "d", "mou")])
    >>> sorted(ego_subgraph(G, "a", 2))
    ['a', 'b', 'c']
    """
    if centre not in G:
        raise NotFound(translate("No organisation '%(id)s' in this network.", id=centre))
    if depth < 0:
        raise InvalidData(translate("Depth must be 0 or more, got %(depth)s.", depth=depth),
                          {"depth": [translate("Must be 0 or more.")]})
    reach = nx.single_source_shortest_path_length(G.to_undirected(as_view=True), centre, cutoff=depth)
    return G.subgraph(reach).copy()


def default_highlights(G: nx.MultiDiGraph, *, as_of: dt.date | None = None, brokers: Iterable[str] = (),
                       drawn: Iterable[str] | None = None) -> dict[str, list[str]]:
    """Why each organisation deserves attention: the report's findings that name it first, or a broker.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The whole projected network, as the report analyses it: findings
        about a drawn part come from the whole, so an ego drawing warns about
        the same organisations as the report.
    as_of : date, optional
        The day the network is looked at (default today).
    brokers : iterable of str
        Ids the caller ranked as brokers.
    drawn : iterable of str, optional
        Keep only these organisations (the ones drawn); None keeps all.

    Returns
    -------
    dict
        Organisation id -> reasons: the type, in words, of every
        :func:`~network.analysis.gaps.linkage_gaps` finding of a type in
        ``HIGHLIGHTED_TYPES`` that names it first, then ``"broker"``.

    Examples
    --------
    >>> import datetime as dt
    >>> from network.model import Link, Organisation
    >>> from network.graph.project import build_graph
    >>> G = build_graph([Organisation("a", "A", "cbo", populations=["msm"]),
    ...                  Organisation("b", "B", "cbo", populations=["msm"]),
    ...                  Organisation("hub", "Hub", "ngo"), Organisation("c", "C", "clinic", services=["prep"]),
    ...                  Organisation("far", "Far", "clinic", services=["prep"])],
    ...                 [Link("r1", "a", "hub", "referral"), Link("r2", "b", "hub", "referral"),
    ...                  Link("r3", "hub", "c", "referral"), Link("m1", "far", "c", "mou")])
    >>> default_highlights(G, as_of=dt.date(2026, 1, 1), drawn=ego_subgraph(G, "hub", 1))
    {'hub': ['single point of failure']}
    """
    keep = None if drawn is None else set(drawn)
    reasons: dict[str, list[str]] = defaultdict(list)
    for finding in linkage_gaps(G, as_of=as_of or today()):
        if finding.type in HIGHLIGHTED_TYPES and finding.organisations:
            node = finding.organisations[0]
            if keep is None or node in keep:
                reasons[node].append(finding.type.replace("_", " "))
    for node in brokers:
        if keep is None or node in keep:
            reasons[node].append("broker")
    return dict(reasons)


def network_data(
    G: nx.MultiDiGraph,
    *,
    colour_by: str = "kind",
    size_by: str = "betweenness",
    highlight: dict[str, Any] | None = None,
    hide_protected: bool = True,
    aggregate_above: int = AGGREGATE_ABOVE,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """The JSON-ready nodes, edges, legend and (above ``aggregate_above``) clusters vis-network draws.

    Node ``tip`` and edge ``tip`` are plain text, shown as text by the page.
    Aggregated networks are sized by degree (betweenness is too costly there);
    ``size_by`` in the result says which was used.
    Sensitive organisations carry none of ``PROTECTED_FIELDS`` when
    ``hide_protected`` is set. Above ``aggregate_above`` organisations every
    node names its ``cluster`` (its district, else its province, else
    "national"), each edge the ``from_cluster`` and ``to_cluster`` of its
    ends, and ``clusters`` lists them with member counts.
    """
    if size_by not in ("betweenness", "degree"):
        raise InvalidData(translate("Size by 'betweenness' or 'degree', not '%(size_by)s'.", size_by=size_by),
                          {"size_by": [translate("Use betweenness or degree.")]})
    highlight = {k: _reasons(v) for k, v in (highlight or {}).items()}
    aggregated = G.number_of_nodes() > aggregate_above
    if aggregated:
        size_by = "degree"
    size = _sizes(G, size_by, as_of)
    colours = _colours(G, colour_by)
    nodes = [_node(n, d, colour_by, colours, size.get(n, 0.0), highlight.get(n, []), hide_protected, aggregated)
             for n, d in sorted(G.nodes(data=True))]
    edges = [_edge(u, v, key, d) for u, v, key, d in G.edges(keys=True, data=True)]
    clusters = None
    if aggregated:
        cluster_of = {n["id"]: n["cluster"] for n in nodes}
        for edge in edges:
            edge["from_cluster"], edge["to_cluster"] = cluster_of[edge["from"]], cluster_of[edge["to"]]
        counts = Counter(n["cluster"] for n in nodes)
        clusters = [{"id": c, "label": c, "count": counts[c]} for c in sorted(counts)]
    labels = vocabulary().organisation_kinds if colour_by == "kind" else {}
    legend = [{"label": labels.get(value, value), "colour": colour} for value, colour in colours.items()]
    return {"nodes": nodes, "edges": edges, "clusters": clusters, "legend": legend,
            "size_by": size_by, "colour_by": colour_by}


def cluster_overview(data: dict[str, Any]) -> dict[str, Any]:
    """An aggregated ``network_data`` without its organisations and links, for a page that fetches them.

    ``nodes`` and ``edges`` are emptied and ``bundles`` counts the links
    between each pair of clusters (``from`` before ``to``); a page asks for
    a cluster's members (:func:`cluster_members`) when it is opened, so a
    large network's page carries only its districts.

    >>> data = {"clusters": [{"id": "A"}, {"id": "B"}], "nodes": [{"id": "a", "cluster": "A"}],
    ...         "edges": [{"from_cluster": "B", "to_cluster": "A"}, {"from_cluster": "A", "to_cluster": "A"}]}
    >>> cluster_overview(data)["bundles"]
    [{'from': 'A', 'to': 'B', 'count': 1}]
    """
    counts: Counter[tuple[str, str]] = Counter()
    for edge in data["edges"]:
        a, b = edge["from_cluster"], edge["to_cluster"]
        if a != b:
            counts[min(a, b), max(a, b)] += 1
    bundles = [{"from": a, "to": b, "count": n} for (a, b), n in sorted(counts.items())]
    return {**data, "nodes": [], "edges": [], "bundles": bundles}


def cluster_members(data: dict[str, Any], cluster: str) -> dict[str, Any]:
    """The organisations of one cluster of an aggregated ``network_data``, and every link touching them.

    >>> data = {"nodes": [{"id": "a", "cluster": "A"}, {"id": "b", "cluster": "B"}],
    ...         "edges": [{"id": "l1", "from_cluster": "B", "to_cluster": "A"}]}
    >>> cluster_members(data, "A")
    {'nodes': [{'id': 'a', 'cluster': 'A'}], 'edges': [{'id': 'l1', 'from_cluster': 'B', 'to_cluster': 'A'}]}
    """
    return {
        "nodes": [n for n in data["nodes"] if n["cluster"] == cluster],
        "edges": [e for e in data["edges"] if cluster in (e["from_cluster"], e["to_cluster"])],
    }


def network_html(
    G: nx.MultiDiGraph,
    *,
    title: str = "cssnet network",
    colour_by: str = "kind",
    size_by: str = "betweenness",
    highlight: dict[str, Any] | None = None,
    hide_protected: bool = True,
    aggregate_above: int = AGGREGATE_ABOVE,
    as_of: dt.date | None = None,
) -> str:
    """A standalone HTML page drawing ``G`` with vis-network, with every script and style inlined.

    The page loads nothing from any server: it opens from a file. Names, notes
    and every tooltip are shown as text, never as HTML.

    Examples
    --------
    >>> from network.model import Organisation
    >>> from network.graph.project import build_graph
    >>> page = network_html(build_graph([Organisation("a", "<b>A</b>", "cbo")], []))
    >>> "<b>A</b>" in page, "https://" in page.split("<script")[0]
    (False, False)
    """
    data = network_data(G, colour_by=colour_by, size_by=size_by, highlight=highlight,
                        hide_protected=hide_protected, aggregate_above=aggregate_above, as_of=as_of)
    static = web_dir() / "static"
    return _PAGE.format(
        title=html.escape(title),
        vis_css=_inline_style(vis_asset("vis-network.css")),
        site_css=_inline_style((static / "network.css").read_text(encoding="utf-8")),
        data=script_json(data),
        vis_js=_inline_script(vis_asset("vis-network.min.js")),
        network_js=_inline_script((static / "network.js").read_text(encoding="utf-8")),
    )


def script_json(data: Any) -> str:
    """``data`` as JSON safe to place inside a ``<script>`` element (no ``<``, ``>`` or ``&``)."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _inline_script(code: str) -> str:
    return code.replace("</script", "<\\/script")


def _inline_style(css: str) -> str:
    return css.replace("</style", "<\\/style")


def _reasons(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, Iterable) else [str(value)]


def _sizes(G: nx.MultiDiGraph, size_by: str, as_of: dt.date | None) -> dict[str, float]:
    if G.number_of_nodes() == 0:
        return {}
    if size_by == "betweenness":
        scores = centralities(G, as_of=as_of, sample_size=_SAMPLE_SIZE)["betweenness"]
    else:
        T = tie_graph(G, as_of or today())
        scores = {n: float(d) for n, d in T.degree()}
    top = max(scores.values(), default=0.0) or 1.0
    return {n: s / top for n, s in scores.items()}


def _colours(G: nx.MultiDiGraph, colour_by: str) -> dict[str, str]:
    values = sorted({str(d.get(colour_by) or "none") for _, d in G.nodes(data=True)})
    if colour_by == "kind":
        return {v: KIND_COLOURS.get(v, KIND_COLOURS["other"]) for v in values}
    return {v: _PALETTE[i % len(_PALETTE)] for i, v in enumerate(values)}


def _node(node: str, d: dict[str, Any], colour_by: str, colours: dict[str, str], size: float,
          reasons: list[str], hide_protected: bool, aggregated: bool) -> dict[str, Any]:
    vocab = vocabulary()
    hidden = hide_protected and bool(d.get("sensitive"))
    place = ", ".join(p for p in (d.get("district"), d.get("province")) if p) or translate("national / regional")
    lines = [
        d.get("name") or node,
        f"{_said(vocab.organisation_kinds, d.get('kind'))} · {place}",
        _listed("Services", vocab.services, d.get("services"), "none recorded"),
        _listed("Populations", vocab.populations, d.get("populations"), "general population"),
    ]
    if d.get("status") == "inactive":
        lines.append(translate("Inactive"))
    lines.append(verified_line(d))
    if not hidden:
        lines.extend(f"{translate(_CONTACT_WORDS.get(f, f.capitalize()))}: {d[f]}" for f in _CONTACT_FIELDS
                     if d.get(f) not in (None, ""))
    lines.extend(f"⚠ {translate(r)}" for r in reasons)
    name = d.get("name") or node
    data = {
        "id": node,
        "label": name if len(name) <= 40 else name[:38] + "…",
        "colour": colours[str(d.get(colour_by) or "none")],
        "size": round(size, 4),
        "tip": "\n".join(lines),
        "highlight": bool(reasons),
        "inactive": d.get("status") == "inactive",
        "sensitive": bool(d.get("sensitive")),
    }
    if aggregated:
        data["cluster"] = d.get("district") or d.get("province") or "national"
    return data


#: A tooltip's contact lines, by field (in the catalogs as the pages write them).
_CONTACT_WORDS = {"phone": N_("Phone"), "email": N_("Email"), "website": N_("Website"),
                  "municipality": N_("Municipality")}


def _said(table: dict[str, str], code: Any) -> str:
    """A vocabulary code's words in the current language (an unknown code as it is)."""
    words = table.get(code)
    return translate(words) if words else str(code)


def _listed(heading: str, table: dict[str, str], codes: Iterable[str] | None, empty: str) -> str:
    """A tooltip line: ``heading`` and the codes' words (or ``empty``), in the current language."""
    return f"{translate(heading)}: " + (", ".join(_said(table, c) for c in codes or ()) or translate(empty))


def verified_line(d: dict[str, Any]) -> str:
    """When and by whom a node's or edge's record was last verified, for its tooltip.

    >>> verified_line({"last_verified": dt.date(2026, 3, 1), "verified_by": "Hope CBO"}), verified_line({})
    ('Last verified 1 March 2026 by Hope CBO', 'Never verified')
    """
    day = d.get("last_verified")
    if not day:
        return translate("Never verified")
    line = translate("Last verified %(when)s", when=local_date(day))
    return f"{line} {translate('by %(who)s', who=d['verified_by'])}" if d.get("verified_by") else line


def _edge(u: str, v: str, key: str, d: dict[str, Any]) -> dict[str, Any]:
    vocab = vocabulary()
    kind = d.get("kind")
    status = d.get("status") or "active"
    start, end = (x.isoformat() if isinstance(x, dt.date) else str(x) if x else ""
                  for x in (d.get("start_date"), d.get("end_date")))
    dates = translate("%(start)s to %(end)s", start=start, end=end) if start and end else start or end
    lines = [f"{_said(vocab.link_kinds, kind)} ({translate(status)})"
             + (f", {translate('formal')}" if d.get("formal") else "")]
    if dates:
        lines.append(dates)
    if d.get("services"):
        lines.append(_listed("Services", vocab.services, d["services"], "none recorded"))
    if d.get("notes"):
        lines.append(str(d["notes"]))
    lines.append(verified_line(d))
    return {"id": key, "from": u, "to": v, "kind": kind, "status": status,
            "directed": kind in vocab.directed_link_kinds, "tip": "\n".join(lines)}


#: Link colours by the tie's survey score (value or trust, 1-4): (below this score, colour, legend label).
TIE_BANDS = ((2.0, "#c0392b", "low (below 2)"), (3.0, "#e69f00", "middling (2 to 3)"),
             (4.01, "#1a9850", "high (3 or more)"))
#: The colour of a link whose tie nobody rated.
UNRATED = "#b8c2cc"


def colour_ties(data: dict[str, Any], scores: dict[tuple[str, str], dict[str, Any]], by: str, source: str) -> None:
    """Colour each link of ``network_data`` output by its tie's ``by`` score (``value`` or ``trust``).

    ``scores`` holds tie scores keyed by ``tie_key`` (``network.analysis.ties.tie_scores``); each link
    gets a ``colour`` from ``TIE_BANDS`` (``UNRATED`` when its tie has no score) and a line in its tip
    naming the score and ``source`` (the survey round); ``tie_legend`` explains the colours.

    >>> data = {"edges": [{"from": "b", "to": "a", "tip": "MoU"}, {"from": "a", "to": "c", "tip": "MoU"}]}
    >>> colour_ties(data, {("a", "b"): {"trust": 1.5, "value": 3.0}}, "trust", "Round 1")
    >>> data["edges"][0]["colour"], data["edges"][0]["tip"], data["edges"][1]["colour"] == UNRATED
    ('#c0392b', 'MoU\\nTrust 1.50 (Round 1)', True)
    """
    for edge in data["edges"]:
        score = scores.get(tie_key(edge["from"], edge["to"]))
        if score is None:
            edge["colour"] = UNRATED
            continue
        edge["colour"] = next(colour for below, colour, _ in TIE_BANDS if score[by] < below)
        edge["tip"] = f"{edge['tip']}\n{translate(by.capitalize())} {score[by]:.2f} ({source})"
    data["tie_legend"] = [{"label": f"{by} {label}", "colour": colour} for _, colour, label in TIE_BANDS] + [
        {"label": "not rated", "colour": UNRATED}]


_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{vis_css}</style>
<style>{site_css}</style>
</head>
<body class="standalone">
<h1>{title}</h1>
<div id="network-legend" class="legend"></div>
<div id="network" class="network" role="img" aria-label="Network drawing"></div>
<p class="hint">Hover for details. Click a district to expand it.</p>
<script type="application/json" id="network-data">{data}</script>
<script>{vis_js}</script>
<script>{network_js}</script>
</body>
</html>
"""
