"""The web UI: server-rendered pages for coordinators, served from ``web/`` and working offline.

Every page is a Jinja template (autoescaped). Anonymous and viewer callers get
analyses run on the redacted graph and records with sensitive organisations'
protected fields blanked. Editing forms send JSON to ``/api/v1`` with the
session cookie and show the API's per-field 422 messages.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from network.analysis.finding import SEVERITIES
from network.errors import CssnetError
from network.graph.store import LinkQuery
from network.model import PROTECTED_FIELDS, vocabulary
from network.redaction import redact_organisation
from network.schemas import ID_PATTERN, dump_link, dump_organisation
from network.service import analyses
from network.visual import (
    AGGREGATE_ABOVE,
    cluster_members,
    cluster_overview,
    ego_subgraph,
    filter_graph,
    network_data,
    vis_asset,
    web_dir,
)

from .auth import caller, can_see_protected, sign_in
from .errors import error_response
from .state import get_store

__all__ = ["bp"]

_WEB = web_dir()
bp = Blueprint("pages", __name__, url_prefix="/", template_folder=str(_WEB / "templates"),
               static_folder=str(_WEB / "static"), static_url_path="/assets")

#: MoUs and referral agreements ending within this many days are shown as lapsing.
LAPSING_DAYS = 90
_TOPICS = {"gaps": "Linkage gaps", "duplication": "Duplication"}
_GAP_TYPES = ("isolated", "broken_cascade", "uncovered", "unreachable", "single_point_of_failure",
              "siloed_cluster", "expiring_agreement")
_DUPLICATION_TYPES = ("service_overlap", "duplicate_record", "funding_overlap")
_NEEDS_SLOTS = 4
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def _code(facet: str, noun: str) -> fields.String:
    def check(value: str) -> None:
        if value not in getattr(vocabulary(), facet):
            raise ValidationError(f"Unknown {noun} '{value}'.")

    return fields.String(load_default=None, validate=check)


class ExplorerArgs(Schema):
    """The explorer's filters."""

    class Meta:
        unknown = EXCLUDE

    province = _code("provinces", "province")
    district = _code("districts", "district")
    kind = _code("organisation_kinds", "organisation kind")
    service = _code("services", "service")
    population = _code("populations", "population")
    link_kind = _code("link_kinds", "link kind")
    ego = fields.String(load_default=None, validate=validate.Regexp(ID_PATTERN, error="Not an organisation id."))
    depth = fields.Integer(load_default=1, validate=validate.Range(0, 3))
    size_by = fields.String(load_default="betweenness", validate=validate.OneOf(("betweenness", "degree")))


class ExplorerMembersArgs(ExplorerArgs):
    """The explorer's filters and the district (or province, or "national") to open."""

    cluster = fields.String(required=True, validate=validate.Length(1, 200))


class ReferralArgs(Schema):
    """The referral finder's question."""

    class Meta:
        unknown = EXCLUDE

    start = fields.String(load_default=None, validate=validate.Regexp(ID_PATTERN, error="Not an organisation id."))
    district = _code("districts", "district")
    population = _code("populations", "population")
    needs = fields.List(_code("services", "service"), data_key="need", load_default=list)
    include_unlinked = fields.Boolean(load_default=False)


class FindingArgs(Schema):
    """The findings pages' filters."""

    class Meta:
        unknown = EXCLUDE

    type = fields.String(load_default=None, validate=validate.OneOf(_GAP_TYPES + _DUPLICATION_TYPES))
    province = _code("provinces", "province")
    severity = fields.String(load_default=None, validate=validate.OneOf(SEVERITIES))
    format = fields.String(load_default="html", validate=validate.OneOf(("html", "csv")))


@bp.before_request
def _csrf() -> None:
    """Give the session a form token, and refuse a form post without it."""
    session.setdefault("csrf", secrets.token_urlsafe(24))
    if request.method == "POST" and request.form.get("csrf") != session["csrf"]:
        abort(400, "The form expired: reload the page and try again.")


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


@bp.app_context_processor
def _common() -> dict[str, Any]:
    return {"role": caller().role, "csrf": session.get("csrf", "")}


@bp.errorhandler(CssnetError)
def _error(error: CssnetError) -> tuple[str, int]:
    return render_template("error.html", message=error.message), error.status


@bp.get("/")
def dashboard() -> str:
    """Counts, the top findings and the agreements about to lapse."""
    store, hide = get_store(), not can_see_protected()
    counts = store.counts()
    vocab = vocabulary()
    gaps = _ranked(_findings("gaps", hide))
    dups = _ranked(_findings("duplication", hide))
    tables = [
        ("Organisations by kind", _labelled(counts.get("organisations_by_kind", {}), vocab.organisation_kinds)),
        ("Organisations by province", _labelled(counts.get("organisations_by_province", {}), {"none": "National"})),
        ("Links by kind", _labelled(counts.get("links_by_kind", {}), vocab.link_kinds)),
    ]
    return render_template(
        "dashboard.html", counts=tables, as_of=dt.date.today().isoformat(), within_days=LAPSING_DAYS,
        total_orgs=sum(counts.get("organisations_by_kind", {}).values()),
        total_links=sum(counts.get("links_by_kind", {}).values()), lapsing=_lapsing(store), names=_names(hide),
        top=[("Top linkage gaps", "gaps", gaps[:10]), ("Top duplication", "duplication", dups[:10])])


@bp.get("/explore")
def explorer() -> tuple[str, int]:
    """The interactive network, filtered, optionally an ego network; districts when large.

    A large network's page carries only its districts and the links counted
    between them; the page fetches a district's organisations from
    :func:`explorer_members` when it is opened.
    """
    args, problems = _load(ExplorerArgs(), request.args)
    H, data = _explorer_network(args, problems)
    aggregated = data["clusters"] is not None
    return render_template("explorer.html", args=args, choices=_choices(not can_see_protected()),
                           problems=problems, data=cluster_overview(data) if aggregated else data,
                           shown=H.number_of_nodes(), links=H.number_of_edges(),
                           aggregated=aggregated), 422 if problems else 200


@bp.get("/explore/members")
def explorer_members() -> Response:
    """JSON: the organisations of one district of the explorer (same filters), and the links touching them."""
    try:
        args = ExplorerMembersArgs().load(_flat(request.args))
    except ValidationError as err:
        return error_response(422, _problems(err)[0], err.messages)
    problems: list[str] = []
    _, data = _explorer_network(args, problems)
    if problems:
        return error_response(404, problems[0], {"ego": problems})
    if data["clusters"] is None or args["cluster"] not in {c["id"] for c in data["clusters"]}:
        message = f"No group '{args['cluster']}' in this view of the network."
        return error_response(404, message, {"cluster": [message]})
    response = jsonify(cluster_members(data, args["cluster"]))
    response.headers["Cache-Control"] = "no-store"
    return response


def _explorer_network(args: dict[str, Any], problems: list[str]) -> tuple[Any, dict[str, Any]]:
    """The explorer's filtered graph and what vis-network draws of it; appends to ``problems``.

    Remembered per store revision, so opening a district reuses the page's drawing.
    """
    hide = not can_see_protected()
    limit = current_app.config.get("CSSNET_AGGREGATE_ABOVE", AGGREGATE_ABOVE)
    view = tuple(sorted((k, v) for k, v in args.items() if k != "cluster"))
    H, data, found = _drawings((view, limit), hide, lambda: _draw_explorer(args, hide, limit))
    problems.extend(found)
    return H, data


def _draw_explorer(args: dict[str, Any], hide: bool, limit: int) -> tuple[Any, dict[str, Any], list[str]]:
    problems = []
    G = analyses.analysis_graph(get_store(), redacted=hide)
    if args.get("ego"):
        if args["ego"] in G:
            G = ego_subgraph(G, args["ego"], args["depth"])
        else:
            problems.append(f"No organisation '{args['ego']}'.")
    H = filter_graph(G, **{k: args.get(k) for k in ("province", "district", "kind", "service", "population",
                                                    "link_kind")})
    data = network_data(H, size_by=args.get("size_by") or "betweenness", highlight=_highlights(hide, H),
                        hide_protected=hide, aggregate_above=limit)
    return H, data, problems


@bp.get("/organisations/<org_id>")
def organisation(org_id: str) -> str:
    """An organisation's profile, links, findings and suggested partners."""
    store, hide = get_store(), not can_see_protected()
    org = store.get_organisation(org_id)
    shown = redact_organisation(org, hide=hide)
    names = _names(hide)
    links = [_link_row(dump_link(link), org_id, names)
             for link in store.list_links(LinkQuery(organisation=org_id, limit=None)).items]
    findings = [f for f in _ranked(_findings("gaps", hide) + _findings("duplication", hide))
                if org_id in f.get("organisations", [])]
    suggestions = _suggestions(_cached("recommendations", hide, lambda: analyses.recommendations(
        store, limit=200, redacted=hide)), org_id)
    return render_template("organisation.html", org=dump_organisation(shown), links=links, findings=findings,
                           rows=findings, suggestions=suggestions, names=names, protected=PROTECTED_FIELDS,
                           hidden=hide and org.sensitive, kinds=vocabulary().organisation_kinds)


@bp.get("/referrals")
def referrals() -> tuple[str, int]:
    """The referral finder: ranked pathways through existing agreements for a population's needs."""
    args, problems = _load(ReferralArgs(), request.args)
    searched = bool(request.args) and not problems
    args["needs"] = [n for n in request.args.getlist("need") if n] if not problems else []
    found: list[dict[str, Any]] = []
    if searched:
        problems = _referral_problems(args)
    if searched and not problems:
        try:
            found = analyses.pathways(get_store(), population=args["population"], needs=args["needs"],
                                     start=args.get("start") or None, district=args.get("district"),
                                     include_unlinked=args["include_unlinked"], redacted=not can_see_protected())
        except CssnetError as err:
            problems.append(err.message)
    return render_template("referrals.html", args=args, choices=_choices(not can_see_protected()),
                           problems=problems, searched=searched and not problems, pathways=found,
                           needs_slots=_NEEDS_SLOTS, service_labels=vocabulary().services,
                           link_labels=vocabulary().link_kinds), 422 if problems else 200


@bp.get("/findings/<topic>")
def findings(topic: str) -> Any:
    """Linkage gaps or duplication findings, filterable, as a table or a CSV download."""
    if topic not in _TOPICS:
        abort(404)
    args, problems = _load(FindingArgs(), request.args)
    if problems:
        flash(" ".join(problems), "error")
    hide = not can_see_protected()
    rows = _ranked(_findings(topic, hide))
    rows = [f for f in rows if _matches(f, args)]
    if args.get("format") == "csv":
        return Response(_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="cssnet-{topic}.csv"'})
    types = _GAP_TYPES if topic == "gaps" else _DUPLICATION_TYPES
    present = {k: v for k, v in args.items() if v and k != "format"}
    return render_template("findings.html", heading=_TOPICS[topic], topic=topic, rows=rows, args=args,
                           args_present=present, names=_names(hide),
                           choices={"types": [(t, t.replace("_", " ")) for t in types],
                                    "provinces": [(p, p) for p in vocabulary().provinces],
                                    "severities": [(s, s) for s in SEVERITIES]})


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in_page() -> Any:
    """Sign in with an API token; the session cookie then carries it."""
    error = None
    if request.method == "POST":
        secret = request.form.get("token", "")
        role = sign_in(secret)
        if role is not None:
            session.clear()
            session["token"] = secret.strip()
            session["csrf"] = secrets.token_urlsafe(24)
            flash(f"Signed in as {role}.", "ok")
            return redirect(url_for("pages.dashboard"))
        error = "That token is unknown or revoked."
    return render_template("sign_in.html", error=error), 401 if error else 200


@bp.post("/sign-out")
def sign_out() -> Response:
    """Forget the token held in the session."""
    session.clear()
    return redirect(url_for("pages.dashboard"))


@bp.get("/edit/organisation", defaults={"org_id": None})
@bp.get("/edit/organisation/<org_id>")
def edit_organisation(org_id: str | None) -> tuple[str, int]:
    """The organisation form (editors): saved through the API, which reports each bad field."""
    if not caller().at_least("editor"):
        return render_template("error.html", message="Sign in as an editor to edit organisations."), 403
    org = dump_organisation(get_store().get_organisation(org_id)) if org_id else {"status": "active"}
    vocab = vocabulary()
    form = [
        _field("id", "Id", readonly=bool(org_id), hint="Lower-case letters, digits, '.', '_' or '-'."),
        _field("name", "Name"),
        _field("kind", "Kind", "select", options=list(vocab.organisation_kinds.items())),
        _field("province", "Province", "select", options=[(p, p) for p in vocab.provinces]),
        _field("district", "District", "select", options=[(d, d) for d in sorted(vocab.districts)]),
        _field("municipality", "Municipality"),
        _field("latitude", "Latitude", kind="number"), _field("longitude", "Longitude", kind="number"),
        _field("services", "Services", kind="list", hint="Codes separated by ';'."),
        _field("populations", "Populations", kind="list", hint="Codes separated by ';'. Empty: everyone."),
        _field("aliases", "Aliases", kind="list"),
        _field("capacity_per_month", "Capacity per month", kind="integer"),
        _field("phone", "Phone"), _field("email", "Email"), _field("website", "Website"),
        _field("status", "Status", "select", options=[("active", "active"), ("inactive", "inactive")]),
        _field("sensitive", "Sensitive (hide location and contacts from the public)", "checkbox", kind="bool"),
        _field("description", "Description", "textarea"),
    ]
    return _edit_page("organisation", org_id, org, form)


@bp.get("/edit/link", defaults={"link_id": None})
@bp.get("/edit/link/<link_id>")
def edit_link(link_id: str | None) -> tuple[str, int]:
    """The link form (editors): saved through the API, which reports each bad field."""
    if not caller().at_least("editor"):
        return render_template("error.html", message="Sign in as an editor to edit links."), 403
    link = dump_link(get_store().get_link(link_id)) if link_id else {"status": "active", "weight": 3}
    vocab = vocabulary()
    form = [
        _field("id", "Id", readonly=bool(link_id)),
        _field("source", "From organisation (id)"), _field("target", "To organisation (id)"),
        _field("kind", "Kind", "select", options=list(vocab.link_kinds.items())),
        _field("services", "Services", kind="list", hint="Codes separated by ';'."),
        _field("status", "Status", "select", options=[(s, s) for s in ("proposed", "active", "expired", "ended")]),
        _field("start_date", "Start date", hint="YYYY-MM-DD"), _field("end_date", "End date", hint="YYYY-MM-DD"),
        _field("weight", "Strength (1-5)", kind="integer"),
        _field("formal", "Formal (signed document)", "checkbox", kind="bool"),
        _field("document", "Document"), _field("notes", "Notes", "textarea", kind="string"),
    ]
    return _edit_page("link", link_id, link, form)


@bp.get("/vendor/<name>")
def vendor(name: str) -> Response:
    """vis-network's script and stylesheet, vendored from the pyvis package."""
    text = vis_asset(name)
    mimetype = "text/css" if name.endswith(".css") else "text/javascript"
    response = Response(text, mimetype=mimetype)
    response.cache_control.max_age = 86400
    return response


def _edit_page(noun: str, record_id: str | None, values: dict[str, Any],
               form: list[dict[str, Any]]) -> tuple[str, int]:
    collection, one, key = ("organisations", "OrganisationById", "org_id") if noun == "organisation" else \
        ("links", "LinkById", "link_id")
    if record_id:
        api, method = url_for(f"{collection}.{one}", **{key: record_id}), "PUT"
    else:
        api, method = url_for(f"{collection}.{collection.capitalize()}"), "POST"
    shown = {k: ("; ".join(v) if isinstance(v, list) else v) for k, v in values.items() if v is not None}
    heading = f"Edit {noun} {record_id}" if record_id else f"New {noun}"
    return render_template("edit.html", heading=heading, fields=form, values=shown, version=values.get("version"),
                           api=api, method=method, noun=noun,
                           after=url_for("pages.organisation", org_id="")), 200


def _field(name: str, label: str, widget: str = "input", *, kind: str = "optional", readonly: bool = False,
           hint: str | None = None, options: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    return {"name": name, "label": label, "type": widget, "kind": kind, "readonly": readonly, "hint": hint,
            "options": options or []}


class _Memo:
    """Results remembered per store revision, the ``room`` most recent per store: pages re-read them often."""

    def __init__(self, room: int) -> None:
        self.room = room
        self.results: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], Any]] = weakref.WeakKeyDictionary()
        self.lock = threading.Lock()

    def __call__(self, name: Any, hide: bool, compute: Callable[[], Any]) -> Any:
        """``compute()``, or what it gave before at this store revision. Do not modify the result."""
        store = get_store()
        key = (store.revision(), name, hide)
        with self.lock:
            found = self.results.setdefault(store, OrderedDict())
            if key in found:
                return found[key]
        value = compute()
        with self.lock:
            found[key] = value
            while len(found) > self.room:
                found.popitem(last=False)
        return value


#: Findings and recommendations.
_cached = _Memo(8)
#: Explorer drawings: each holds a whole network's nodes and links, so only a few are kept.
_drawings = _Memo(4)


def _findings(topic: str, hide: bool) -> list[dict[str, Any]]:
    """The gap or duplication findings the caller may see."""
    query = analyses.gaps if topic == "gaps" else analyses.duplication
    return _cached(topic, hide, lambda: query(get_store(), redacted=hide))


def _flat(args: Any) -> dict[str, Any]:
    """Query arguments as one value each (``need`` as a list), leaving out empty ones."""
    data = {k: v for k, v in args.to_dict(flat=False).items()}
    flat = {k: (v if k == "need" else v[0]) for k, v in data.items() if v and (k == "need" or v[0] != "")}
    if "need" in flat:
        flat["need"] = [n for n in flat["need"] if n]
    return flat


def _load(schema: Schema, args: Any) -> tuple[dict[str, Any], list[str]]:
    flat = _flat(args)
    try:
        return schema.load(flat), []
    except ValidationError as err:
        problems = _problems(err)
        cleaned = {k: v for k, v in flat.items() if k not in err.messages}
        return {**schema.load(cleaned), **{k: None for k in err.messages}}, problems


def _problems(err: ValidationError) -> list[str]:
    """One line per refused field: "field: what is wrong"."""
    return [f"{field}: {' '.join(_messages(msgs))}" for field, msgs in sorted(err.messages.items())]


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    return [str(m) for m in value] if isinstance(value, list) else [str(value)]


def _referral_problems(args: dict[str, Any]) -> list[str]:
    problems = []
    if not args.get("population"):
        problems.append("Choose a population.")
    if not args.get("needs"):
        problems.append("Choose at least one need.")
    if not args.get("start") and not args.get("district"):
        problems.append("Give a starting organisation or a district.")
    return problems


def _labelled(table: dict[str, int], labels: dict[str, str]) -> list[tuple[str, int]]:
    return sorted(((labels.get(k, k), n) for k, n in table.items()), key=lambda r: (-r[1], r[0]))


def _ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(rows, key=lambda f: (order.get(f.get("severity"), len(order)), f.get("type", "")))


def _matches(finding: dict[str, Any], args: dict[str, Any]) -> bool:
    if args.get("type") and finding.get("type") != args["type"]:
        return False
    if args.get("severity") and finding.get("severity") != args["severity"]:
        return False
    if args.get("province"):
        districts = vocabulary().provinces[args["province"]]
        names = _names(True)
        return finding.get("district") in districts or any(
            names.province(o) == args["province"] for o in finding.get("organisations", []))
    return True


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["type", "severity", "district", "population", "service", "organisations", "explanation"])
    for f in rows:
        writer.writerow([_cell(f.get(k)) for k in ("type", "severity", "district", "population", "service")]
                        + [_cell(";".join(f.get("organisations", []))), _cell(f.get("explanation"))])
    return out.getvalue()


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Names(dict):
    """Organisation names by id, with each organisation's province."""

    def __init__(self, graph: Any):
        super().__init__((n, d.get("name") or n) for n, d in graph.nodes(data=True))
        self._graph = graph

    def province(self, org_id: str) -> str | None:
        """The province of ``org_id``, if known."""
        return self._graph.nodes[org_id].get("province") if org_id in self._graph else None


def _names(hide: bool) -> _Names:
    return _Names(analyses.analysis_graph(get_store(), redacted=hide))


def _choices(hide: bool) -> dict[str, list[tuple[str, str]]]:
    vocab = vocabulary()
    names = _names(hide)
    return {
        "provinces": [(p, p) for p in vocab.provinces],
        "districts": [(d, d) for d in sorted(vocab.districts)],
        "kinds": list(vocab.organisation_kinds.items()),
        "services": sorted(vocab.services.items(), key=lambda kv: kv[1]),
        "populations": sorted(vocab.populations.items(), key=lambda kv: kv[1]),
        "link_kinds": list(vocab.link_kinds.items()),
        "organisations": sorted(names.items(), key=lambda kv: kv[1])[:5000],
    }


def _highlights(hide: bool, H: Any) -> dict[str, list[str]]:
    """Why organisations in ``H`` are highlighted: the gap findings that name them."""
    reasons: dict[str, list[str]] = {}
    for f in _findings("gaps", hide):
        if f.get("type") not in ("isolated", "broken_cascade", "single_point_of_failure"):
            continue
        for org in f.get("organisations", [])[:1]:
            if org in H:
                reasons.setdefault(org, []).append(f["type"].replace("_", " "))
    return reasons


def _lapsing(store: Any) -> list[dict[str, Any]]:
    today = dt.date.today()
    until = today + dt.timedelta(days=LAPSING_DAYS)
    names = _names(True)
    rows = []
    for link in store.list_links(LinkQuery(status="active", limit=None)).items:
        if link.kind in ("mou", "referral") and link.end_date and today <= link.end_date <= until:
            rows.append({"end_date": link.end_date.isoformat(), "kind": link.kind, "source": link.source,
                         "target": link.target, "source_name": names.get(link.source, link.source),
                         "target_name": names.get(link.target, link.target), "services": link.services})
    return sorted(rows, key=lambda r: r["end_date"])


def _link_row(link: dict[str, Any], org_id: str, names: dict[str, str]) -> dict[str, Any]:
    other = link["target"] if link["source"] == org_id else link["source"]
    directed = link["kind"] in vocabulary().directed_link_kinds
    direction = ("→" if link["source"] == org_id else "←") if directed else ""
    return {**link, "other": other, "other_name": names.get(other, other), "direction": direction}


def _suggestions(recommendations: list[dict[str, Any]], org_id: str) -> list[dict[str, str]]:
    found = []
    for r in recommendations:
        ends = [r.get("source"), r.get("target")]
        if org_id in ends:
            other = ends[1] if ends[0] == org_id else ends[0]
            found.append({"other": other, "kind": r.get("kind", ""), "reason": r.get("explanation", "")})
    return found[:10]
