"""The web UI: server-rendered pages for coordinators, one module per page family, served from ``web/``.

Every page is a Jinja template (autoescaped) filled from the service layer.
Anonymous and viewer callers get analyses run on the redacted graph and records
without sensitive organisations' protected fields. Editing forms send JSON to
``/api/v1`` with the session cookie and show the API's per-field 422 messages.
"""

from network.pages import (
    agenda,
    changes,
    dashboard,
    editing,
    explorer,
    findings,
    freshness,
    inbox,
    labels,
    language,
    monitoring,
    organisations,
    partner,
    programmes,
    referral_send,
    referrals,
    review,
    survey_answer,
    surveys,
)
from network.pages.blueprint import bp

__all__ = ["bp", "agenda", "changes", "dashboard", "editing", "explorer", "findings", "freshness", "labels",
           "language", "monitoring", "organisations", "referrals", "partner", "review", "survey_answer", "surveys",
           "inbox", "referral_send", "programmes"]
