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
from functools import lru_cache
from pathlib import Path

from babel import Locale

__all__ = ["LANGUAGES", "COMPLETE", "FINDER_ONLY", "DEFAULT", "CATALOGS", "SPOKEN", "choose", "language_code",
           "language_name", "unknown_language", "spoken_choices"]

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


#: Languages clients and organisations speak in the region, by code: South Africa's eleven official
#: languages, then Portuguese, French, Shona, Chichewa and Swahili.
SPOKEN = ("en", "af", "nr", "nso", "ss", "st", "tn", "ts", "ve", "xh", "zu", "pt", "fr", "sn", "ny", "sw")
#: Names people write that are not a language's English or own name in the locale data.
_ALSO_CALLED = {"sepedi": "nso", "sesotho": "st", "sotho": "st", "setswana": "tn", "tswana": "tn",
                "isindebele": "nr", "ndebele": "nr", "siswati": "ss", "swati": "ss", "xitsonga": "ts",
                "tshivenda": "ve", "venda": "ve", "chichewa": "ny", "chewa": "ny", "kiswahili": "sw"}


@lru_cache(maxsize=1)
def _codes_by_name() -> dict[str, str]:
    names = dict(_ALSO_CALLED)
    for code in SPOKEN:
        locale = Locale.parse(code)
        for name in (code, locale.english_name, locale.display_name, LANGUAGES.get(code)):
            if name:
                names.setdefault(name.casefold(), code)
    return names


def language_code(text: str | None) -> str | None:
    """The code of a language written as a code or a name, in English or its own; ``None`` if unknown.

    >>> language_code("isiZulu"), language_code("Sepedi"), language_code(" ST "), language_code("Klingon")
    ('zu', 'nso', 'st', None)
    """
    return _codes_by_name().get((text or "").strip().casefold())


def unknown_language(text: str) -> str:
    """The refusal of a language ``text`` does not name, in plain words.

    >>> unknown_language("Klingon")
    "Unknown language 'Klingon': give a code such as st, zu or pt, or its name (Sesotho, isiZulu, Português)."
    """
    from network.translation import translate  # translation reads this module's catalogs and choices

    return translate("Unknown language '%(text)s': give a code such as st, zu or pt, or its name (Sesotho, "
                     "isiZulu, Português).", text=text)


@lru_cache(maxsize=1)
def spoken_choices() -> tuple[tuple[str, str], ...]:
    """Every spoken language as (code, name in its own words), sorted by name: the options of a form.

    >>> spoken_choices()[:2]
    (('af', 'Afrikaans'), ('sn', 'chiShona'))
    """
    return tuple(sorted(((code, language_name(code)) for code in SPOKEN), key=lambda kv: kv[1].casefold()))


def language_name(code: str) -> str:
    """A language's name as its speakers write it.

    >>> language_name("st"), language_name("nso"), language_name("pt")
    ('Sesotho', 'Sepedi', 'Português')
    """
    return LANGUAGES.get(code) or Locale.parse(code).display_name
