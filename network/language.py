"""The languages cssnet speaks: which they are, how a request's language is chosen, where the catalogs live.

Every page, page message and vocabulary label goes through the gettext
catalogs in ``network/translations/<code>/LC_MESSAGES/messages.po`` (compiled
to ``messages.mo`` by ``python -m seed.catalogs``). English, Portuguese and
French are complete; the referral finder and the referral slip are also in
Sesotho, isiXhosa, Sepedi and isiZulu, marked in their catalogs for review by
a native speaker. A language with no translation of a message shows it in
English.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = ["LANGUAGES", "COMPLETE", "FINDER_ONLY", "DEFAULT", "CATALOGS", "choose"]

#: Every language, by its code (ISO 639), in its own name.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "pt": "Português",
    "fr": "Français",
    "st": "Sesotho",
    "xh": "isiXhosa",
    "nso": "Sepedi",
    "zu": "isiZulu",
}

#: Languages whose catalogs translate every message.
COMPLETE = ("en", "pt", "fr")

#: Languages whose catalogs translate the referral finder and the slip (for review by a native speaker).
FINDER_ONLY = ("st", "xh", "nso", "zu")

DEFAULT = "en"

CATALOGS = Path(__file__).resolve().parent / "translations"


def choose(asked: str | None, remembered: str | None, accepted: Iterable[str]) -> str:
    """The language to answer in: the one asked for, else the one remembered, else the browser's best.

    ``accepted`` are the browser's languages, best first (``Accept-Language``);
    a regional tag counts as its language (``pt-MZ`` is Portuguese).

    >>> choose(None, None, ["pt-MZ", "en"]), choose("fr", "pt", []), choose("xx", None, ["de"])
    ('pt', 'fr', 'en')
    """
    for code in (asked, remembered):
        if code in LANGUAGES:
            return code
    for tag in accepted:
        code = tag.replace("_", "-").split("-", 1)[0].lower()
        if code in LANGUAGES:
            return code
    return DEFAULT
