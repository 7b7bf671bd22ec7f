"""Domain errors raised by the store and the service layer; the API maps them to HTTP statuses."""

from __future__ import annotations

from typing import Any

from network.translation import N_, translate

__all__ = ["CssnetError", "NotFound", "Conflict", "StaleWrite", "InvalidData", "Busy", "NotAllowed", "missing"]

#: What is said of a record that is not there, by its noun: one template each, so the catalogs hold them.
MISSING = {"organisation": N_("No organisation with id '%(id)s'."), "link": N_("No link with id '%(id)s'.")}


class CssnetError(Exception):
    """Base of every cssnet error: ``message`` for people, ``errors`` per field."""

    status = 400

    def __init__(self, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class NotFound(CssnetError):
    """The organisation, link or token asked for does not exist."""

    status = 404


def missing(noun: str, record_id: str) -> NotFound:
    """``NotFound`` for the ``noun`` (``organisation`` or ``link``) with id ``record_id``, in the caller's language.

    >>> missing("link", "l9").message
    "No link with id 'l9'."
    """
    return NotFound(translate(MISSING[noun], id=record_id))


class NotAllowed(CssnetError):
    """The caller may not do this to this record (a referrer acting for another organisation's referral)."""

    status = 403


class Conflict(CssnetError):
    """The write clashes with what is stored (an id in use, links still attached)."""

    status = 409


class StaleWrite(CssnetError):
    """The record changed since the caller read it (a lost update was refused)."""

    status = 412


class InvalidData(CssnetError):
    """The input breaks a rule: unknown code, bad date, link to a missing organisation."""

    status = 422


class Busy(CssnetError):
    """The store could not take its write lock in time: another change is under way; try again shortly."""

    status = 503

    def __init__(self, message: str | None = None, errors: dict[str, Any] | None = None):
        super().__init__(message or translate("The network is busy with another change; try again in a moment."),
                         errors)
