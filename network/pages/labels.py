"""Words for codes on the pages: every service, population, kind, link kind and finding type by its vocabulary label.

Registered as Jinja filters (``service_label``, ``population_label``,
``kind_label``, ``link_kind_label``, ``finding_label``, ``label`` with a facet
such as ``code|label('barriers')``, and ``labels`` for a list), so no template
shows a raw code where a person reads; codes stay in links and downloads. The
``sentence`` filter shows an analysis's sentence in the page's language
(``network.translation.sentence``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from functools import lru_cache

from babel.dates import format_date
from flask_babel import get_locale, gettext, lazy_gettext

from network.analysis.agenda import agenda_weights
from network.model import vocabulary
from network.monitoring import monitoring_vocabulary
from network.referrals import referral_vocabulary
from network.surveys import survey_words
from network.translation import local_number, sentence

from .blueprint import bp

__all__ = ["label", "labels", "labelled", "finding_label", "severity_label", "status_label", "field_label",
           "action_label", "long_date", "vocabulary_labels"]

_FACETS = ("services", "populations", "organisation_kinds", "link_kinds", "intervention_areas", "data_kinds",
           "countries")


@lru_cache(maxsize=1)
def _tables() -> dict[str, dict[str, str]]:
    voc = vocabulary()
    tables = {facet: dict(getattr(voc, facet)) for facet in _FACETS}
    #: A link kind with its direction, as the explorer's tooltips say it (``network.visual``).
    tables["link_kind_meanings"] = dict(tables["link_kinds"])
    tables["link_kinds"] = {code: text.split(" (", 1)[0] for code, text in tables["link_kinds"].items()}
    tables["finding_types"] = {code: words[0][:1].upper() + words[0][1:]
                               for code, words in agenda_weights()["finding_types"].items()}
    tables["finding_types"]["service_overlap"] = "Overlapping services"
    tables["finding_plurals"] = {code: words[1] for code, words in agenda_weights()["finding_types"].items()}
    tables["finding_singulars"] = {code: words[0] for code, words in agenda_weights()["finding_types"].items()}
    tables["agenda_actions"] = {code: action["label"] for code, action in agenda_weights()["actions"].items()}
    tables["agenda_reasons"] = {code: action["reason"] for code, action in agenda_weights()["actions"].items()}
    tables["referral_statuses"] = dict(referral_vocabulary().statuses)
    tables["decline_reasons"] = dict(referral_vocabulary().decline_reasons)
    tables["barriers"] = dict(monitoring_vocabulary().barriers)
    tables["escalations"] = dict(monitoring_vocabulary().escalations)
    survey = survey_words()
    tables["survey_items"], tables["survey_questions"] = dict(survey.items), dict(survey.questions)
    tables["survey_scale"] = {str(value): text for value, text in survey.scale.items()}
    tables["survey_contributions"] = dict(survey.contributions)
    return tables


def label(code: str | int | None, facet: str) -> str:
    """The label of ``code`` in ``facet`` (``services``, ..., ``finding_types``) in the page's language.

    An unknown code is shown in words.

    >>> label("plhiv", "populations"), label("mou", "link_kinds"), label("made_up", "services")
    ('People living with HIV', 'Memorandum of understanding', 'made up')
    """
    if code is None or code == "":
        return ""
    text = _tables()[facet].get(str(code))
    return gettext(text) if text else str(code).replace("_", " ")


def vocabulary_labels() -> Iterator[tuple[str, str]]:
    """Every vocabulary label the pages show, with its facet (the translation catalogs list them all)."""
    for facet, table in _tables().items():
        for text in table.values():
            yield facet, text


def labels(codes: Iterable[str] | None, facet: str) -> str:
    """The labels of ``codes``, joined with commas.

    >>> labels(["tb_screening", "art"], "services")
    'TB screening, Antiretroviral therapy'
    """
    return ", ".join(label(code, facet) for code in codes or ())


def labelled(codes: Iterable[str], facet: str) -> list[tuple[str, str]]:
    """``(code, label)`` for each of ``codes`` in ``facet``, in the page's language, by label.

    >>> labelled(["tb_screening", "art"], "services")
    [('art', 'Antiretroviral therapy'), ('tb_screening', 'TB screening')]
    """
    return sorted(((code, label(code, facet)) for code in codes), key=lambda pair: pair[1].casefold())


def finding_label(code: str | None) -> str:
    """A finding type in words.

    >>> finding_label("single_point_of_failure")
    'Single point of failure'
    """
    return label(code, "finding_types")


#: Severities in words.
_SEVERITIES = {"high": lazy_gettext("high"), "medium": lazy_gettext("medium"), "low": lazy_gettext("low")}


def severity_label(code: str) -> str:
    """A finding's severity in words, in the page's language.

    >>> severity_label("high")
    'high'
    """
    return str(_SEVERITIES.get(code, code))


#: Organisation, link, change and invitation statuses, and roles, in words (the codes stay in links and classes).
_STATUSES = {
    "active": lazy_gettext("active"), "inactive": lazy_gettext("inactive"), "proposed": lazy_gettext("proposed"),
    "expired": lazy_gettext("expired"), "ended": lazy_gettext("ended"), "pending": lazy_gettext("pending"),
    "accepted": lazy_gettext("accepted"), "rejected": lazy_gettext("rejected"), "used": lazy_gettext("used"),
    "revoked": lazy_gettext("revoked"), "viewer": lazy_gettext("viewer"), "editor": lazy_gettext("editor"),
    "admin": lazy_gettext("admin"), "anonymous": lazy_gettext("anonymous"), "partner": lazy_gettext("partner"),
}


#: What a version of a record did, in words.
_ACTIONS = {"create": lazy_gettext("created"), "update": lazy_gettext("changed"), "delete": lazy_gettext("deleted"),
            "import": lazy_gettext("imported")}


def action_label(code: str) -> str:
    """What a version of a record did (``create``, ``update``, ...), in the page's language.

    >>> action_label("update")
    'changed'
    """
    return str(_ACTIONS.get(code, code))


def status_label(code: str | None) -> str:
    """A status or role in words, in the page's language; an unknown code in words.

    >>> status_label("expired"), status_label("on_hold")
    ('expired', 'on hold')
    """
    if not code:
        return ""
    return str(_STATUSES.get(code, code.replace("_", " ")))


#: An organisation's protected fields, named for people.
_FIELDS = {
    "latitude": lazy_gettext("Latitude"), "longitude": lazy_gettext("Longitude"),
    "municipality": lazy_gettext("Municipality"), "phone": lazy_gettext("Phone"), "email": lazy_gettext("Email"),
    "website": lazy_gettext("Website"), "description": lazy_gettext("Description"),
    "external_ids": lazy_gettext("External ids"),
}


def field_label(field: str) -> str:
    """A record's field in words, in the page's language.

    >>> field_label("external_ids"), field_label("district_code")
    ('External ids', 'District code')
    """
    return str(_FIELDS.get(field, field.replace("_", " ").capitalize()))


def long_date(day: str | dt.date | None) -> str:
    """A date as people write it, in the page's language (``1 de dezembro de 2026`` in Portuguese).

    >>> long_date("2026-12-01"), long_date(None)
    ('1 December 2026', '')
    """
    if not day:
        return ""
    when = dt.date.fromisoformat(day) if isinstance(day, str) else day
    language = str(get_locale() or "en")
    return format_date(when, "d MMMM y" if language == "en" else "long", locale=language)


bp.add_app_template_filter(long_date, "long_date")
bp.add_app_template_filter(label, "label")
bp.add_app_template_filter(sentence, "sentence")
bp.add_app_template_filter(local_number, "number")
bp.add_app_template_filter(lambda code: label(code, "services"), "service_label")
bp.add_app_template_filter(lambda code: label(code, "populations"), "population_label")
bp.add_app_template_filter(lambda code: label(code, "organisation_kinds"), "kind_label")
bp.add_app_template_filter(lambda code: label(code, "intervention_areas"), "area_label")
bp.add_app_template_filter(lambda code: label(code, "link_kinds"), "link_kind_label")
bp.add_app_template_filter(finding_label, "finding_label")
bp.add_app_template_filter(severity_label, "severity_label")
bp.add_app_template_filter(labels, "labels")
bp.add_app_template_filter(status_label, "status_label")
bp.add_app_template_filter(action_label, "action_label")
bp.add_app_template_filter(field_label, "field_label")
