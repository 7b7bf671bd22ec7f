"""The programme pages: every programme, and one programme's grants, sub-recipients, coverage and gaps."""

from __future__ import annotations

from flask import render_template

from network.api.state import get_store
from network.service import programmes as programme_records

from .blueprint import bp
from .common import hide, names

__all__ = ["programme_list", "programme"]


@bp.get("/programmes")
def programme_list() -> str:
    """Every programme, with its funder and period."""
    return render_template("programmes.html", programmes=programme_records.programmes(), names=names(hide()))


@bp.get("/programmes/<programme_id>")
def programme(programme_id: str) -> str:
    """One programme's report: grants, sub-recipients, coverage of services and populations, gaps, grants ending."""
    hidden = hide()
    report = programme_records.report(get_store(), programme_id, redacted=hidden)
    return render_template("programme.html", report=report, rows=report["gaps"], names=names(hidden))
