"""Analysis queries over a store: what the API and the CLI both ask, answered once.

Each query projects the store (``analysis_graph``, cached per store revision and
filters, so repeated requests do not re-read the store), runs one analysis and
returns JSON-ready data. With ``redacted=True`` the analysis runs on a graph
whose sensitive organisations carry no protected fields (``network.redaction``):
what anonymous and viewer callers get.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import networkx as nx

from network.analysis.layers import Layers
from network.analysis.report import FINDING_TYPES, MONITORING_TYPES, SURVEY_TYPES
from network.errors import InvalidData
from network.gcpause import gc_paused
from network.graph.store import GraphStore
from network.model import today
from network.translation import translate

from . import monitoring, surveys
from .memo import Memo
from .projections import analysis_graph, day, pathway_index, predecessor

__all__ = [
    "GAP_TYPES",
    "DUPLICATION_TYPES",
    "analysis_graph",
    "pathway_index",
    "gaps",
    "duplication",
    "pathways",
    "step_rules",
    "warm_up",
    "structure",
    "recommendations",
    "report",
    "agenda",
    "jsonable",
]

#: The finding types of each topic, in report order (``FINDING_TYPES`` lists them all).
DUPLICATION_TYPES = ("service_overlap", "duplicate_record", "funding_overlap")
GAP_TYPES = tuple(t for t in FINDING_TYPES if t not in DUPLICATION_TYPES + MONITORING_TYPES + SURVEY_TYPES)

#: Analysis results remembered per store revision and options (pages and API callers ask the same often).
_results = Memo(16)
#: Pathway answers remembered per store revision, day and query (the most recent first out).
_PATHWAY_ANSWERS = 512
_answers: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], list[dict[str, Any]]]] = (
    weakref.WeakKeyDictionary())
_answers_lock = threading.Lock()
#: The linkage gaps of each graph, each as JSON, its links in force and its offers, per day and options: those of the
#: graph an edit was made to are caught up for the next (``network.analysis.gaps.caught_up_gaps``), not found again
#: whole.
_gap_findings: weakref.WeakKeyDictionary[
    nx.MultiDiGraph, dict[tuple[Any, ...], tuple[list[Any], list[Any], Any, Any]]] = weakref.WeakKeyDictionary()


def _remembered(analysis: Callable[..., Any]) -> Callable[..., Any]:
    """Remember ``analysis(store, **options)`` per store revision, day and options. Do not modify its results.

    ``as_of`` is read as a date (a datetime or ISO text of the same day is the same question). ``layers``
    (views to share with other analyses, see :func:`_usable`) changes how an answer is computed, not the
    answer: it is no part of the question.
    """

    @functools.wraps(analysis)
    def remembered(store: GraphStore, **options: Any) -> Any:
        if "as_of" in options:
            options["as_of"] = day(options["as_of"])
        given = sorted((name, tuple(value) if isinstance(value, list | tuple) else value)
                       for name, value in options.items() if name != "layers")
        key = (analysis.__name__, dt.date.today(), tuple(given))
        return _results(store, key, lambda: analysis(store, **options))

    return remembered


@_remembered
@gc_paused()
def gaps(store: GraphStore, *, as_of: dt.date | None = None, province: str | None = None,
         district: str | None = None, types: Sequence[str] | None = None, max_hops: int = 3,
         within_days: int = 90, redacted: bool = False, layers: Layers | None = None) -> list[dict[str, Any]]:
    """Linkage-gap findings (optionally only some ``types``) as dicts; ``layers`` as for :func:`_usable`.

    After an edit, the findings of the graph before it are caught up (see :func:`_linkage_gaps`).
    """
    G = analysis_graph(store, as_of=as_of, province=province, district=district, redacted=redacted)
    found, shown = _linkage_gaps(G, as_of=as_of, max_hops=max_hops, within_days=within_days,
                                 layers=_usable(layers, G, as_of))
    return [data for f, data in zip(found, shown, strict=True) if not types or f.type in types]


def _linkage_gaps(G: nx.MultiDiGraph, *, as_of: dt.date | None, max_hops: int, within_days: int,
                  layers: Layers | None) -> tuple[list[Any], list[dict[str, Any]]]:
    """The linkage gaps of ``G`` and each as JSON, kept with ``G`` (and its links in force) for the graph of the
    next edit.

    When ``G`` was caught up from a graph whose gaps are kept (see
    :func:`~network.service.projections.predecessor`), the findings an edit
    cannot have changed are kept, with their JSON, and only the rest found
    again (:func:`~network.analysis.gaps.caught_up_gaps`), from links in
    force caught up too (``Layers.after_edit``); else all are found afresh.
    What the graph before had kept is then let go.
    """
    from network.analysis.edit_reach import EditReach
    from network.analysis.gaps import caught_up_gaps, linkage_gaps
    from network.analysis.offers import Offers

    key = (day(as_of) or today(), max_hops, within_days)
    parent = predecessor(G)
    with _answers_lock:  # taken, not copied: the graph before the edit is asked no more
        earlier = _gap_findings.get(parent[0], {}).pop(key, None) if parent else None
    if parent is None or earlier is None:
        layers, offers = layers or Layers(G, as_of), Offers(G)
        found = linkage_gaps(G, as_of=as_of, max_hops=max_hops, within_days=within_days, layers=layers,
                             offers=offers)
        shown = jsonable([f.to_dict() for f in found])
    else:
        previous, previous_shown, in_force, offers = earlier
        reach = EditReach(parent[0], G, parent[1])
        layers = layers or Layers.after_edit(G, as_of, in_force, reach.near)
        offers = Offers.after_edit(G, offers, parent[1])
        found = caught_up_gaps(G, previous, reach, as_of=as_of, max_hops=max_hops, within_days=within_days,
                               layers=layers, offers=offers)
        shown = _shown_again(found, previous, previous_shown)
    with _answers_lock:
        _gap_findings.setdefault(G, {})[key] = (found, shown, layers.in_force, offers)
    return found, shown


def _shown_again(found: list[Any], previous: list[Any], previous_shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The JSON of each of ``found``: that of the same finding of ``previous`` (kept, or found again equal to it),
    else made anew."""
    kept = {id(f): data for f, data in zip(previous, previous_shown, strict=True)}
    # those found again (the edit's reach, and the types found over the whole network): mostly as they were
    now = {id(f) for f in found}
    alike = {_identity(f): (f, data) for f, data in zip(previous, previous_shown, strict=True) if id(f) not in now}
    shown = []
    for f in found:
        data = kept.get(id(f))
        if data is None:
            old, data = alike.get(_identity(f), (None, None))
            if old != f:
                data = jsonable(f.to_dict())
        shown.append(data)
    return shown


def _identity(f: Any) -> tuple[Any, ...]:
    """What tells one finding from another of the same report (its JSON is compared with ``==`` when they match)."""
    return f.type, tuple(f.organisations), f.district, f.population, f.service, tuple(f.links)


@_remembered
@gc_paused()
def duplication(store: GraphStore, *, as_of: dt.date | None = None, province: str | None = None,
                district: str | None = None, types: Sequence[str] | None = None, threshold: float = 85,
                redacted: bool = False, layers: Layers | None = None) -> list[dict[str, Any]]:
    """Duplication findings (overlaps, duplicate records, funding overlaps) as dicts; ``layers`` as for
    :func:`_usable`."""
    from network.analysis.duplication import duplication as find_duplication

    G = analysis_graph(store, as_of=as_of, province=province, district=district, redacted=redacted)
    found = find_duplication(G, as_of=as_of, threshold=threshold, layers=_usable(layers, G, as_of))
    return jsonable([f.to_dict() for f in found if not types or f.type in types])


def _usable(layers: Layers | None, G: nx.MultiDiGraph, as_of: dt.date | None) -> Layers | None:
    """``layers`` if they are views of ``G`` on ``as_of`` (or today), else None (the analysis makes its own).

    A caller running several analyses of one graph (the agenda) passes the same views to each, so the links in
    force and the layers built on them are made once, by whichever analysis is not remembered yet.
    """
    return layers if layers is not None and layers.fit(G, as_of or today()) else None


def pathways(store: GraphStore, *, population: str, needs: Sequence[str], start: str | None = None,
             district: str | None = None, k: int = 3, as_of: dt.date | None = None,
             include_unlinked: bool = False, max_hops: int = 6, redacted: bool = False,
             language: str | None = None, admin: bool = False) -> list[dict[str, Any]]:
    """The ``k`` best referral pathways for ``population`` through ``needs``; ``InvalidData`` on bad input.

    A step along a route with enough referrals in the last six months costs more the fewer of them were
    completed, and says so (``network.analysis.outcomes.CompletionRule``; see :func:`step_rules`). Given
    the client's ``language`` (a code or a name), providers that speak it are preferred and say so. For
    ``admin``, a step along a tie whose trust in the latest survey is low says so too
    (``network.analysis.trust.LowTrustSteps``).
    Answers are remembered per store revision, day, query and the ``key`` of
    each step rule. Callers must not modify them.
    """
    query = dict(population=population, needs=tuple(needs), start=start, district=district, k=k,
                 as_of=day(as_of), include_unlinked=bool(include_unlinked), max_hops=max_hops,
                 redacted=bool(redacted))
    rules = step_rules(store, population=population, as_of=day(as_of), redacted=bool(redacted), language=language,
                       admin=bool(admin))
    key = (store.revision(), today(), tuple(query.items()), tuple(getattr(r, "key", None) for r in rules))
    with _answers_lock:
        answers = _answers.setdefault(store, OrderedDict())
        if key in answers:
            answers.move_to_end(key)
            return answers[key]
    found = _pathways(store, rules, **query)
    with _answers_lock:
        answers[key] = found
        while len(answers) > _PATHWAY_ANSWERS:
            answers.popitem(last=False)
    return found


def step_rules(store: GraphStore, *, population: str, as_of: dt.date | None, redacted: bool,
               language: str | None = None, admin: bool = False) -> list[Any]:
    """The rules that adjust the cost and wording of pathway steps (``network.analysis.pathways.StepRule``).

    The one place to add one: build it here from what the store holds
    (referral outcomes, tie ratings, countries, the client's language) and
    append it. A rule reading records whose writes do not move the store's
    ``revision()`` must carry a ``key`` attribute that changes when they do
    (e.g. the latest outcome's time), so remembered answers are not stale.
    ``admin`` adds the low-trust note of the latest tie survey (``surveys.pathway_rules``).
    """
    from network.analysis.borders import BorderCrossing
    from network.analysis.client_language import LanguageRule
    from network.analysis.outcomes import CompletionRule

    from .outcomes import route_outcomes

    routes = _results(store, ("route_outcomes", as_of or dt.date.today()), lambda: route_outcomes(store, as_of=as_of))
    G = analysis_graph(store, as_of=as_of, redacted=redacted)
    rules: list[Any] = [CompletionRule(routes), BorderCrossing(G)]
    if language:
        try:
            rules.append(LanguageRule.for_graph(G, language))
        except ValueError as err:
            raise InvalidData(str(err), {"language": [str(err)]}) from None
    if admin:
        rules += surveys.pathway_rules(store)
    return rules


def warm_up(store: GraphStore) -> None:
    """Project the whole network and build its pathway index ahead of the first query that needs them.

    Both the view of anonymous callers (sensitive details withheld) and the
    full one, for today. A server calls it as it starts, in the background:
    otherwise the first pathway query waits for them (at 50,000 organisations,
    25 s on a loaded 2-core machine). The caches are keyed by the store's
    revision, so an edit made meanwhile is caught up by the next query.
    """
    for redacted in (True, False):
        pathway_index(analysis_graph(store, redacted=redacted))


@gc_paused()
def _pathways(store: GraphStore, rules: list[Any], *, population: str, needs: Sequence[str], start: str | None,
              district: str | None, k: int, as_of: dt.date | None, include_unlinked: bool, max_hops: int,
              redacted: bool) -> list[dict[str, Any]]:
    from network.analysis.pathways import referral_pathways

    G = analysis_graph(store, as_of=as_of, redacted=redacted)
    index = pathway_index(G, as_of=as_of, include_unlinked=include_unlinked)
    try:
        found = referral_pathways(G, population=population, needs=list(needs), start=start, district=district,
                                  k=k, as_of=as_of, include_unlinked=include_unlinked, max_hops=max_hops,
                                  index=index, rules=rules)
    except ValueError as err:
        raise InvalidData(str(err), {"query": [str(err)]}) from None
    return jsonable([p.to_dict() for p in found])


@_remembered
@gc_paused()
def structure(store: GraphStore, *, as_of: dt.date | None = None, province: str | None = None,
              district: str | None = None, by: str = "kind", top: int = 10,
              redacted: bool = False) -> dict[str, Any]:
    """The structure summary (density, components, centralities, communities, brokerage)."""
    from network.analysis.structure import structure_summary

    G = analysis_graph(store, as_of=as_of, province=province, district=district, redacted=redacted)
    return jsonable(structure_summary(G, as_of=as_of, by=by, top=top))


@_remembered
@gc_paused()
def recommendations(store: GraphStore, *, as_of: dt.date | None = None, province: str | None = None,
                    district: str | None = None, limit: int = 20, redacted: bool = False) -> list[dict[str, Any]]:
    """Ranked new links that would close the most gaps."""
    from network.analysis.recommend import recommend_links

    G = analysis_graph(store, as_of=as_of, province=province, district=district, redacted=redacted)
    return jsonable([r.to_dict() for r in recommend_links(G, as_of=as_of, limit=limit)])


@_remembered
def _coordination(store: GraphStore, *, as_of: dt.date | None = None, province: str | None = None,
                  redacted: bool = False, admin: bool = False) -> dict[str, Any]:
    from network.analysis.report import coordination_report

    G = analysis_graph(store, as_of=as_of, redacted=redacted)
    extra = monitoring.findings(store, G, as_of=as_of) + (surveys.low_trust_findings(store, G, as_of=as_of)
                                                          if admin else [])
    return jsonable(coordination_report(G, as_of=as_of, province=province, extra=extra))


@_remembered
def report(store: GraphStore, *, as_of: dt.date | None = None, province: str | None = None,
           redacted: bool = False, admin: bool = False) -> dict[str, Any]:
    """The coordination report (agenda, summary, findings, structure, recommendations) as a dict.

    ``admin`` adds the findings made from tie survey scores (``low_trust_dependency``), which rest on
    one or two answers each and are for administrators only.
    """
    from network.analysis.areas import area_summary

    found = _coordination(store, as_of=as_of, province=province, redacted=redacted, admin=admin)
    G = analysis_graph(store, as_of=as_of, redacted=redacted)
    return {**found, "areas": area_summary(G, as_of=as_of, province=province),
            "agenda": agenda(store, as_of=as_of, province=province, redacted=redacted, admin=admin)}


def report_lines(store: GraphStore, *, as_of: dt.date | None = None, province: str | None = None,
                 redacted: bool = False, admin: bool = False) -> Iterator[str]:
    """The coordination report as JSON lines, written as they are made rather than kept as one document.

    The records of :meth:`network.analysis.report.ReportParts.records` (the
    report, each finding, the structure, each recommendation, each province),
    then ``{"record": "areas", "areas": ...}`` (the summary by intervention area), then one
    ``{"record": "agenda_item", ...}`` per item of :func:`agenda`. ``admin`` as for :func:`report`.
    """
    from network.analysis.areas import area_summary
    from network.analysis.report import report_lines as lines
    from network.analysis.report import report_parts

    G = analysis_graph(store, as_of=as_of, redacted=redacted)
    extra = monitoring.findings(store, G, as_of=as_of) + (surveys.low_trust_findings(store, G, as_of=as_of)
                                                          if admin else [])
    parts = report_parts(G, as_of=as_of, province=province, extra=extra)
    yield from lines(jsonable(record) for record in parts.records())
    del parts
    yield from lines([{"record": "areas", "areas": jsonable(area_summary(G, as_of=as_of, province=province))}])
    items = agenda(store, as_of=as_of, province=province, redacted=redacted, admin=admin)["items"]
    yield from lines({"record": "agenda_item", **item} for item in items)


def agenda(store: GraphStore, *, as_of: dt.date | None = None, province: str | None = None,
           district: str | None = None, programme: str | None = None, intervention_area: str | None = None,
           limit: int | None = 20, redacted: bool = False, admin: bool = False) -> dict[str, Any]:
    """The coordination agenda of the gap, duplication, upkeep and referral outcome findings, for the whole network
    or one scope.

    ``admin`` adds the ``low_trust_dependency`` findings of the latest tie survey (administrators only).
    Returns ``{"as_of", "scope", "limit", "items"}``: each item as
    ``AgendaItem.to_dict()`` with ``rank`` (1 first) and ``findings``, the
    findings it resolves as dicts (``type_label`` names each type in words).
    ``InvalidData`` if more than one of ``province``, ``district``,
    ``programme`` and ``intervention_area`` is given, or a name is unknown.
    Remembered per store revision and options, however they are given.
    """
    return _agenda(store, as_of=as_of, province=province or None, district=district or None,
                   programme=programme or None, intervention_area=intervention_area or None, limit=limit,
                   redacted=bool(redacted), admin=bool(admin))


@_remembered
@gc_paused()
def _agenda(store: GraphStore, *, as_of: dt.date | None, province: str | None, district: str | None,
            programme: str | None, intervention_area: str | None, limit: int | None, redacted: bool,
            admin: bool) -> dict[str, Any]:
    from network.analysis.agenda import agenda as make_agenda
    from network.analysis.agenda import agenda_weights
    from network.analysis.finding import Finding
    from network.analysis.upkeep import upkeep
    from network.model import today

    from .outcomes import findings as outcome_findings

    day = as_of or today()
    scope = {k: v for k, v in (("province", province), ("district", district), ("programme", programme),
                               ("intervention_area", intervention_area)) if v}
    if len(scope) > 1:
        raise InvalidData(translate("Give one scope: a province, a district, a programme or an intervention area."),
                          {k: [translate("Give only one of province, district, programme and intervention area.")]
                           for k in scope})
    G = analysis_graph(store, as_of=as_of, redacted=redacted)
    if programme:
        _known_programme(G, programme)
    asked = {"redacted": redacted, **({"as_of": as_of} if as_of else {})}  # as the pages ask: one remembered result
    shared = Layers(G, day)  # views built on first use, once for the three analyses
    found = [*gaps(store, layers=shared, **asked), *duplication(store, layers=shared, **asked)]
    findings = [Finding(**f) for f in found] + upkeep(G, as_of=day, layers=shared)
    findings += outcome_findings(store, G, as_of=day)
    findings += monitoring.findings(store, G, as_of=day)
    if admin:
        findings += surveys.low_trust_findings(store, G, as_of=day)
    try:
        items = make_agenda(findings, G, as_of=day, scope=scope or None, limit=limit)
    except ValueError as err:
        raise InvalidData(str(err), {next(iter(scope), "scope"): [str(err)]}) from None
    labels = {t: words[0] for t, words in agenda_weights()["finding_types"].items()}
    shown = []
    for rank, item in enumerate(items, 1):
        data = item.to_dict()
        data["findings"] = [{**findings[i].to_dict(), "type_label": labels.get(findings[i].type, findings[i].type)}
                            for i in item.findings]
        shown.append({"rank": rank, **data})
    return jsonable({"as_of": day, "scope": scope, "limit": limit, "items": shown})


def _known_programme(G: Any, programme: str) -> None:
    """``InvalidData`` naming the programmes the links of ``G`` name, unless one of them is ``programme``."""
    known = sorted({data["programme"] for _, _, data in G.edges(data=True) if data.get("programme")})
    if programme not in known:
        problem = (f"No link names the programme '{programme}'. "
                   + (f"Known programmes: {'; '.join(known)}." if known else "No link names any programme yet."))
        raise InvalidData(problem, {"programme": [problem]})


#: Values that are JSON-ready as they are (exactly these types: a float may be NaN, a subclass takes the long way).
_READY = frozenset({str, int, bool, type(None)})


def jsonable(value: Any) -> Any:
    """``value`` with dates as ISO strings, tuples and sets as lists, keys as strings and NaN as None.

    Plain dicts and lists of ready values, most of an answer, are copied without a call per value.

    >>> jsonable({"ends": dt.date(2026, 3, 31), 1: ("a", float("nan")), "kinds": {"mou", "referral"}})
    {'ends': '2026-03-31', '1': ['a', None], 'kinds': ['mou', 'referral']}
    """
    kind = type(value)
    if kind is dict:
        return {k if type(k) is str else str(k): v if type(v) in _READY else jsonable(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _READY else jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((jsonable(v) for v in value), key=str)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value

