"""The findings pages: linkage gaps or duplication, filterable, as a table or a CSV download."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, abort, flash, render_template, request
from flask_babel import lazy_gettext
from marshmallow import EXCLUDE, Schema, fields, validate

from network.analysis.finding import SEVERITIES
from network.analysis.report import finding_rows
from network.io.cells import escape_formula
from network.model import vocabulary
from network.service.analyses import DUPLICATION_TYPES, GAP_TYPES
from network.service.scope import code_field

from .blueprint import bp
from .common import findings as topic_findings
from .common import hide, load, names, ranked
from .labels import finding_label, severity_label
from .places import grouped_provinces

__all__ = ["findings"]

_TOPICS = {"gaps": (lazy_gettext("Linkage gaps"), GAP_TYPES),
           "duplication": (lazy_gettext("Duplication"), DUPLICATION_TYPES)}
#: The columns of the CSV download (``finding_rows`` writes them).
_COLUMNS = ("type", "severity", "district", "population", "service", "organisations", "links", "explanation",
            "details")


#: The form's fields by their labels, for its refusals.
_WORDS = {"type": lazy_gettext("Type"), "province": lazy_gettext("Province"), "severity": lazy_gettext("Severity")}


class FindingArgs(Schema):
    """The findings pages' filters."""

    class Meta:
        unknown = EXCLUDE

    type = fields.String(load_default=None, validate=validate.OneOf(GAP_TYPES + DUPLICATION_TYPES))
    province = code_field("provinces", "province", load_default=None)
    severity = fields.String(load_default=None, validate=validate.OneOf(SEVERITIES))
    format = fields.String(load_default="html", validate=validate.OneOf(("html", "csv")))


@bp.get("/findings/<topic>")
def findings(topic: str) -> Any:
    """Linkage gaps or duplication findings, filterable, as a table or a CSV download."""
    if topic not in _TOPICS:
        abort(404)
    heading, types = _TOPICS[topic]
    args, problems = load(FindingArgs(), request.args, _WORDS)
    if problems:
        flash(" ".join(problems), "error")
    hidden = hide()
    rows = [f for f in ranked(topic_findings(topic, hidden)) if _matches(f, args)]
    if args.get("format") == "csv":
        return Response(_csv(rows), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="cssnet-{topic}.csv"'})
    present = {k: v for k, v in args.items() if v and k != "format"}
    return render_template("findings.html", heading=heading, topic=topic, rows=rows, args=args,
                           args_present=present, names=names(hidden),
                           choices={"types": [(t, finding_label(t)) for t in types],
                                    "provinces": grouped_provinces(),
                                    "severities": [(s, severity_label(s)) for s in SEVERITIES]})


def _matches(finding: dict[str, Any], args: dict[str, Any]) -> bool:
    if args.get("type") and finding.get("type") != args["type"]:
        return False
    if args.get("severity") and finding.get("severity") != args["severity"]:
        return False
    if args.get("province"):
        districts = vocabulary().provinces[args["province"]]
        shown = names(True)
        return finding.get("district") in districts or any(
            shown.province(o) == args["province"] for o in finding.get("organisations", []))
    return True


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in finding_rows({"findings": rows}):
        writer.writerow({key: escape_formula(value) for key, value in row.items()})
    return out.getvalue()
