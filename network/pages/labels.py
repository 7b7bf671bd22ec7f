"""Words for codes on the pages: every service, population, kind, link kind and finding type by its vocabulary label.

Registered as Jinja filters (``service_label``, ``population_label``,
``kind_label``, ``link_kind_label``, ``finding_label`` and ``labels`` for a
list), so no template shows a raw code where a person reads; codes stay in
links and downloads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from network.analysis.agenda import agenda_weights
from network.model import vocabulary

from .blueprint import bp

__all__ = ["label", "labels", "finding_label", "long_date"]

_FACETS = ("services", "populations", "organisation_kinds", "link_kinds")


@lru_cache(maxsize=1)
def _tables() -> dict[str, dict[str, str]]:
    voc = vocabulary()
    tables = {facet: dict(getattr(voc, facet)) for facet in _FACETS}
    tables["link_kinds"] = {code: text.split(" (", 1)[0] for code, text in tables["link_kinds"].items()}
    tables["finding_types"] = {code: words[0][:1].upper() + words[0][1:]
                               for code, words in agenda_weights()["finding_types"].items()}
    tables["finding_types"]["service_overlap"] = "Overlapping services"
    return tables


def label(code: str | None, facet: str) -> str:
    """The label of ``code`` in ``facet`` (``services``, ..., ``finding_types``); an unknown code in words.

    >>> label("plhiv", "populations"), label("mou", "link_kinds"), label("made_up", "services")
    ('People living with HIV', 'Memorandum of understanding', 'made up')
    """
    if not code:
        return ""
    return _tables()[facet].get(code) or code.replace("_", " ")


def labels(codes: Iterable[str] | None, facet: str) -> str:
    """The labels of ``codes``, joined with commas.

    >>> labels(["tb_screening", "art"], "services")
    'TB screening, Antiretroviral therapy'
    """
    return ", ".join(label(code, facet) for code in codes or ())


def finding_label(code: str | None) -> str:
    """A finding type in words.

    >>> finding_label("single_point_of_failure")
    'Single point of failure'
    """
    return label(code, "finding_types")


def long_date(day: str | dt.date | None) -> str:
    """A date as people write it.

    >>> long_date("2026-12-01"), long_date(None)
    ('1 December 2026', '')
    """
    if not day:
        return ""
    when = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return f"{when.day} {when:%B %Y}"


bp.add_app_template_filter(long_date, "long_date")
bp.add_app_template_filter(lambda code: label(code, "services"), "service_label")
bp.add_app_template_filter(lambda code: label(code, "populations"), "population_label")
bp.add_app_template_filter(lambda code: label(code, "organisation_kinds"), "kind_label")
bp.add_app_template_filter(lambda code: label(code, "link_kinds"), "link_kind_label")
bp.add_app_template_filter(finding_label, "finding_label")
bp.add_app_template_filter(labels, "labels")
