"""Messages in the caller's language, in a web request or at the command line, from the gettext catalogs.

The domain, the schemas and the service word their refusals with
:func:`translate` (and :func:`ntranslate` for counts) when they raise them, so
the message reaches the caller in the caller's language without the domain
knowing about Flask: the web layer tells this module how to read a request's
language (:func:`follow`), the command line sets its own (:func:`use_language`).
A message written before anyone asks, such as a validator's error built into
a schema, is :func:`lazy`: it is translated each time it is used. :func:`N_`
only marks a message for the catalogs; it is translated where it is shown.

The analyses write their sentences in English (their results are kept and
shared by callers of every language): their templates, marked with
:func:`N_`, are in the catalogs under the context ``sentence``, and
:func:`sentence` translates a finished sentence where it is shown by finding
the template it was made from, translating the values it filled in too.

Messages are written in English with ``%(name)s`` placeholders; a message with
no translation, or in a language without a catalog, stays English.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from functools import lru_cache
from gettext import NullTranslations
from typing import Any

from babel import Locale
from babel.core import UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal, get_decimal_symbol
from babel.support import Translations

from network.language import CATALOGS, DEFAULT, LANGUAGES, choose

__all__ = ["translate", "ntranslate", "lazy", "N_", "follow", "use_language", "current_language",
           "environment_language", "local_date", "sentence", "SENTENCE", "joined", "named", "spoken_list",
           "in_words", "local_number"]

#: The catalog context of the analyses' sentence templates.
SENTENCE = "sentence"
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
#: Where a finished text splits into sentences; a date and a count of organisations as the analyses write them.
_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_DATE = re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ORGANISATIONS = re.compile(r"(\d+) (other )?organisations?")
_COUNTED = re.compile(r"(\d[\d,]*) (\D+)")
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+")
_DECIMAL = re.compile(r"[-+]?\d+\.\d+")
#: Placeholders that always hold a number, matched as one so a short template ("%(base)s for %(parts)s") does not
#: take a sentence that merely has its words.
_NUMERIC = frozenset({"num", "base", "factor", "days", "years", "weighted"})
_NUMBER = r"[\d][\d.,]*"
#: Placeholders that hold a few words the catalogs know (a kind of link), never a clause of a sentence, so a phrase
#: template ("%(noun)s from %(source)s to %(target)s") does not take a whole sentence ("Renew the MoU between A and
#: B", "Created: ... to B.").
_WORDY = frozenset({"noun"})
_WORDS = r"[^:;()]+?"


_request_language: list[Callable[[], str | None]] = []
_language: ContextVar[str] = ContextVar("cssnet_language", default=DEFAULT)


def follow(chooser: Callable[[], str | None]) -> None:
    """Read the language from ``chooser`` first (the web layer's: a request's language, ``None`` outside one)."""
    _request_language[:] = [chooser]


def use_language(code: str | None) -> str:
    """Speak ``code`` outside a request from now on (an unknown or missing code: English); returns the code used.

    >>> use_language("pt"), translate("Not a valid integer."), use_language(None)
    ('pt', 'Não é um número inteiro válido.', 'en')
    """
    chosen = code if code in LANGUAGES else DEFAULT
    _language.set(chosen)
    return chosen


def environment_language(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for: ``CSSNET_LANGUAGE``, else ``LANGUAGE`` (a ``:`` list),
    ``LC_ALL``, ``LANG`` (``pt_MZ.UTF-8`` is Portuguese); English when none names a language cssnet speaks.

    >>> environment_language({"LANG": "fr_FR.UTF-8"}), environment_language({"LANGUAGE": "de:pt", "LANG": "fr"})
    ('fr', 'pt')
    >>> environment_language({"CSSNET_LANGUAGE": "st", "LANG": "fr_FR"}), environment_language({"LANG": "C"})
    ('st', 'en')
    """
    env = os.environ if environ is None else environ
    asked = [env.get("CSSNET_LANGUAGE", ""), *env.get("LANGUAGE", "").split(":"), env.get("LC_ALL", ""),
             env.get("LANG", "")]
    return choose(None, None, [tag.split(".", 1)[0] for tag in asked if tag and tag.split(".", 1)[0] != "C"])


def current_language() -> str:
    """The language to answer in: the request's when there is one, else the one set with :func:`use_language`."""
    for chooser in _request_language:
        code = chooser()
        if code:
            return code
    return _language.get()


@lru_cache(maxsize=len(LANGUAGES))
def _catalog(code: str) -> NullTranslations:
    return Translations.load(str(CATALOGS), [code], domain="messages")


def translate(message: str, /, **values: Any) -> str:
    """``message`` in the current language, its ``%(name)s`` placeholders filled from ``values``.

    >>> translate("Unknown field.")
    'Unknown field.'
    """
    text = _catalog(current_language()).gettext(str(message))
    return text % values if values else text


def ntranslate(singular: str, plural: str, num: int, /, **values: Any) -> str:
    """The form of ``singular``/``plural`` for ``num`` in the current language; ``%(num)d`` is ``num``.

    >>> ntranslate("%(num)d answer", "%(num)d answers", 2)
    '2 answers'
    """
    return _catalog(current_language()).ngettext(singular, plural, num) % {"num": num, **values}


def local_date(day: dt.date | str | None) -> str:
    """``day`` (a date or an ISO date) as people write it in the current language; nothing for no day.

    >>> local_date("2026-12-01"), use_language("pt"), local_date(dt.date(2026, 12, 1)), use_language(None)
    ('1 December 2026', 'pt', '1 de dezembro de 2026', 'en')
    """
    if not day:
        return ""
    when = dt.date.fromisoformat(day) if isinstance(day, str) else day
    code = current_language()
    return format_date(when, "d MMMM y" if code == DEFAULT else "long", locale=code)


def local_number(value: float, style: str = "g") -> str:
    """``value`` written with ``format(value, style)`` (``g``, ``.2f``, ``+.2f``), with the current language's
    decimal sign (``17,9`` in Portuguese and French).

    >>> local_number(17.9), use_language("fr"), local_number(17.9), local_number(-0.5, "+.2f"), use_language(None)
    ('17.9', 'fr', '17,9', '-0,50', 'en')
    """
    return _decimal_sign(format(value, style))


def _decimal_sign(text: str) -> str:
    """A number written with a full stop, with the current language's decimal sign instead."""
    code = current_language()
    if code == DEFAULT or "." not in text:
        return text
    try:
        return text.replace(".", get_decimal_symbol(code))
    except (UnknownLocaleError, ValueError):
        return text


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs without translating it yet (it is translated where it is shown)."""
    return message


_AND, _OR = N_(" and "), N_(" or ")
#: What joins the clauses of a sentence (French puts a space before the semicolon).
_CLAUSES = N_("; ")
_LIST = re.compile(f"(, |{_AND}|{_OR})")

#: The lists :func:`joined` made lately, by their English text: their items and last word. A name may hold
#: `` and `` or ``, `` itself, so the text of a list alone does not tell its items; :func:`sentence` looks a
#: value up here to say the list in the current language.
_JOINED_KEPT = 32768
_joined: OrderedDict[str, tuple[tuple[str, ...], str]] = OrderedDict()
_joined_lock = threading.Lock()


#: Names written into sentences that hold a list's words themselves (``Rights and Justice
#: Centre``): a sentence is matched to its template with each kept whole, so ``between %(a)s and %(b)s`` does
#: not cut one in two. At most ``_NAMED_KEPT`` are kept.
_NAMED_KEPT = 20000
_named: set[str] = set()
#: What cuts a sentence, its clauses or a list: a name holding one of them is remembered.
_SEPARATORS = (", ", " and ", " or ", ". ", "; ")


def named(text: str) -> str:
    """``text`` (a name written into a sentence) as it is, remembered when it holds `` and ``, `` or ``, ``, ``,
    ``. `` or ``; `` so that :func:`sentence` keeps it whole.

    >>> named("Rights and Justice Centre"), use_language("fr")
    ('Rights and Justice Centre', 'fr')
    >>> sentence("Renew the MoU between Rights and Justice Centre and Hope CBO"), use_language(None)
    ('Renouveler le protocole d’accord entre Rights and Justice Centre et Hope CBO', 'en')
    """
    if (" and " in text or ", " in text or ". " in text or " or " in text or "; " in text) and text not in _named \
            and len(_named) < _NAMED_KEPT:
        _named.add(text)
    return text


def _shielded(text: str) -> tuple[str, list[str]]:
    """``text`` with each remembered name it holds (see :func:`named`) replaced by a token without spaces, and
    the names in token order."""
    found: list[str] = []
    if not _named or not any(s in text for s in _SEPARATORS):
        return text, found

    def token(match: re.Match[str]) -> str:
        found.append(match.group(0))
        return f"\x00{len(found) - 1}\x00"

    return _names_pattern(len(_named)).sub(token, text), found


@lru_cache(maxsize=2)
def _names_pattern(size: int) -> re.Pattern[str]:
    """The remembered names as one pattern, longest first (``size``: how many there are, so a new one rebuilds
    it)."""
    return re.compile("|".join(re.escape(n) for n in sorted(list(_named), key=len, reverse=True)))


def _unshielded(value: str, names: list[str]) -> str:
    return re.sub("\x00(\\d+)\x00", lambda m: names[int(m.group(1))], value) if names else value


def joined(parts: Sequence[str], last: str = "and") -> str:
    """``A``, ``A and B``, ``A, B and C`` in English (``last``: ``and`` or ``or``), nothing for no parts; the
    items of the list are remembered, so :func:`sentence` says it in the current language (``A, B e C``).

    >>> joined(["Hope CBO", "Rights and Justice Centre"]), use_language("pt")
    ('Hope CBO and Rights and Justice Centre', 'pt')
    >>> sentence("Renew the MoU between Hope CBO and Rights and Justice Centre"), use_language(None)
    ('Renovar o memorando de entendimento entre Hope CBO e Rights and Justice Centre', 'en')
    """
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    text = f"{', '.join(parts[:-1])} {last} {parts[-1]}"
    if last in ("and", "or"):
        with _joined_lock:
            _joined[text] = (tuple(parts), last)
            _joined.move_to_end(text)
            if len(_joined) > _JOINED_KEPT:
                _joined.popitem(last=False)
    return text


def spoken_list(items: Sequence[str], last: str = "and") -> str:
    """``items`` joined as a list in the current language (``last``: ``and`` or ``or``): the locale's own
    patterns (CLDR) where it has them, else the catalog's `` and `` / `` or ``.

    >>> use_language("fr"), spoken_list(["A", "B", "C"]), spoken_list(["A", "B"], "or"), use_language(None)
    ('fr', 'A, B et C', 'A ou B', 'en')
    >>> spoken_list(["A", "B", "C"])
    'A, B and C'
    """
    if len(items) < 2:
        return "".join(items)
    style = "or" if last == "or" else "standard"
    code = current_language()
    if code == DEFAULT:  # as the analyses write it (CLDR's English puts a comma before the last word)
        return f"{', '.join(items[:-1])} {'or' if last == 'or' else 'and'} {items[-1]}"
    if _has_list_words(code, style):
        return format_list(list(items), style=style, locale=code)
    return f"{', '.join(items[:-1])}{translate(_OR if last == 'or' else _AND)}{items[-1]}"


@lru_cache(maxsize=32)
def _has_list_words(code: str, style: str) -> bool:
    """Whether the locale data of ``code`` joins a list's last item with a word of its own (not only a comma)."""
    try:
        patterns = Locale.parse(code).list_patterns
    except (UnknownLocaleError, ValueError):
        return False
    end = patterns.get(style, {}).get("end", "")
    return bool(end) and end.replace("{0}", "").replace("{1}", "").strip(" ,،、") != ""


def _listed_items(text: str) -> tuple[tuple[str, ...], str] | None:
    with _joined_lock:
        return _joined.get(text)


class lazy(str):  # noqa: N801 - used like a function, as gettext's lazy_gettext
    """A message translated each time it is used (formatted, joined, printed), not when it is written.

    For errors built into schemas before any caller exists; marshmallow formats them with
    ``str.format`` (``{max}``, ``{input}``), which keeps working on the translation.

    >>> message = lazy("At most {max} items.")
    >>> message.format(max=3), str(message)
    ('At most 3 items.', 'At most {max} items.')
    """

    def __str__(self) -> str:
        return translate(str.__str__(self))

    def format(self, *args: Any, **kwargs: Any) -> str:
        return str(self).format(*args, **kwargs)

    def __mod__(self, values: Any) -> str:
        return str(self) % values

    def __add__(self, other: str) -> str:
        return str(self) + other


@lru_cache(maxsize=1)
def _templates() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Every sentence template with placeholders, as a pattern matching the sentences made from it (those with
    the most words of their own first, so a general template never takes a sentence a closer one fits)."""
    english = getattr(_catalog(DEFAULT), "_catalog", {})
    found = [key.split("\x04", 1)[1] for key in english if isinstance(key, str) and key.startswith(SENTENCE + "\x04")]
    found = [m for m in found if _PLACEHOLDER.search(m)]
    found.sort(key=lambda m: (-len(_PLACEHOLDER.sub("", m)), m))
    return tuple((_pattern(m), m) for m in found)


def _pattern(template: str) -> re.Pattern[str]:
    parts, seen, at = [], set(), 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[at:match.start()]))
        key = match.group(1)
        parts.append(f"(?P={key})" if key in seen else f"(?P<{key}>{_shape(key)})")
        seen.add(key)
        at = match.end()
    parts.append(re.escape(template[at:]))
    return re.compile("".join(parts), re.DOTALL)


def _shape(key: str) -> str:
    """What a placeholder's value may look like in a pattern."""
    return _NUMBER if key in _NUMERIC else _WORDS if key in _WORDY else ".+?"


def _capital(english: str, made: str) -> str:
    """``made`` starting with a capital where the English sentence it says does (its template starts with a value
    that is lower case mid-sentence, ``MoU between A and B expired``)."""
    return made[:1].upper() + made[1:] if english[:1].isupper() and made[:1].islower() else made


def sentence(text: str) -> str:
    """An analysis's English ``text`` in the current language, sentence by sentence (a sentence no template
    made stays English).

    >>> sentence("Renew the MoU between A and B"), use_language("pt"), sentence("Renew the MoU between A and B")
    ('Renew the MoU between A and B', 'pt', 'Renovar o memorando de entendimento entre A e B')
    >>> use_language(None)
    'en'
    """
    if not text or current_language() == DEFAULT:
        return text
    whole = _one(text, within=". ")  # a template of several sentences takes them all
    if whole != text:
        return _capital(text, whole)
    return " ".join(_capital(part, _clauses(part)) for part in _split(_SENTENCES.split, text))


def _split(split: Callable[[str], list[str]], text: str) -> list[str]:
    """``text`` cut by ``split``, never inside a remembered name (``St. Mary's Hospital``, see :func:`named`)."""
    shielded, names = _shielded(text)
    return [_unshielded(part, names) for part in split(shielded)]


def _clauses(text: str) -> str:
    """A sentence made from one template, else from several joined by ``; `` (the last with the full stop, which
    its template may leave to the sentence)."""
    if "; " not in text:
        return _stopped(text)
    made = _one(text, within="; ")
    if made != text:
        return made
    *first, last = _split(lambda whole: whole.split("; "), text)
    return translate(_CLAUSES).join([*(_one(clause) for clause in first), _stopped(last)])


def _stopped(text: str) -> str:
    """``text`` by its template, or by a template of the words before its full stop (a clause's)."""
    made = _one(text)
    if made == text and text.endswith(".") and not text.endswith(".."):
        made = _one(text[:-1]) + "."
    return made


def _one(text: str, within: str = "") -> str:
    """``text`` translated by the template it was made from (only templates holding ``within``)."""
    catalog = _catalog(current_language())
    exact = catalog.pgettext(SENTENCE, text)
    if exact != text:
        return exact
    shielded, names = _shielded(text)
    for pattern, template in _templates():
        if within not in template:
            continue
        found = pattern.fullmatch(shielded)
        if found and all(_label(found.group(key)) != found.group(key) for key in _WORDY & found.groupdict().keys()):
            translated = catalog.pgettext(SENTENCE, template)
            if translated == template and f"{SENTENCE}\x04{template}" not in getattr(catalog, "_catalog", {}):
                return text  # no translation (one the same as the English is one)
            return translated % {key: _value(_unshielded(value, names)) for key, value in found.groupdict().items()}
    return text


def _value(text: str) -> str:
    """A value a sentence was filled with, translated where the catalogs know it: a phrase made from a template,
    a date, a count, a label, or a list of them (``TB treatment and antiretroviral therapy``); a name stays as it
    is."""
    known = _listed_items(text)
    if known is not None:
        items, last = known
        return spoken_list([_item(item) for item in items], last)
    item = _item(text)
    return item if item != text else _listed(_LIST.split(text))


def _item(text: str) -> str:
    """One value (not a list): a phrase made from a template, a date (``1 December 2026`` or ISO), a count or a
    label."""
    made = _one(text)
    if made != text:
        return made
    if _DATE.fullmatch(text):
        return format_date(dt.datetime.strptime(text, "%d %B %Y").date(), "long", locale=current_language())
    if _ISO_DATE.fullmatch(text):
        try:
            return local_date(text)
        except ValueError:  # not a day of the calendar
            return text
    counted = _ORGANISATIONS.fullmatch(text)
    if counted and counted.group(2):
        return ntranslate("%(num)d other organisation", "%(num)d other organisations", int(counted.group(1)))
    if counted:
        return ntranslate("%(num)d organisation", "%(num)d organisations", int(counted.group(1)))
    many = _COUNTED.fullmatch(text)
    if many and _label(many.group(2)) != many.group(2):
        return f"{many.group(1)} {_label(many.group(2))}"
    if _THOUSANDS.fullmatch(text):
        return format_decimal(int(text.replace(",", "")), locale=current_language())
    if _DECIMAL.fullmatch(text):
        return _decimal_sign(text)
    return _label(text)


def _listed(pieces: list[str]) -> str:
    """Items and their separators (``, ``, `` and ``, `` or ``) in the current language, each item the longest
    run of pieces that is a label (``people with TB and their households`` is one label, not two), else one
    piece, translated as a value (a template's phrase, a count, a label). Pieces the
    catalogs do not know, and the separators between them, stay as written: names may hold `` and `` too."""
    items: list[tuple[str, bool]] = []
    start = 0
    while start < len(pieces):
        end = next((end for end in range(len(pieces), start + 1, -2)
                    if _label("".join(pieces[start:end])) != "".join(pieces[start:end])), start + 1)
        text = "".join(pieces[start:end])
        items.append((_item(text), _item(text) != text))
        if end < len(pieces):
            items.append((pieces[end], False))
        start = end + 1
    out = []
    for at, (text, _) in enumerate(items):
        separator = at % 2 == 1
        beside = separator and (items[at - 1][1] or (at + 1 < len(items) and items[at + 1][1]))
        out.append(translate(text) if beside else text)
    return "".join(out)


def _label(text: str) -> str:
    """A label (a vocabulary label, lower-cased as the analyses write it mid-sentence, or a sentence's word) in
    the current language; ``HIV testing`` keeps its capital in English only."""
    if len(text) > 2 and text[0] == text[-1] == "'":
        return f"'{_label(text[1:-1])}'"
    catalog = _catalog(current_language())
    forms = (text, text[:1].upper() + text[1:], text[:1].lower() + text[1:])
    for look_up in (catalog.gettext, lambda form: catalog.pgettext(SENTENCE, form)):  # the vocabulary's first
        for form in forms:
            translated = look_up(form)
            if translated != form:
                if form[:1].islower() and text[:1].isupper():
                    return translated[:1].upper() + translated[1:]
                lower = form != text or (text[:2].isupper() and translated[1:2].islower())
                return translated[:1].lower() + translated[1:] if lower else translated
    return text


def in_words(value: Any) -> Any:
    """An analysis's JSON-ready result (findings, plans, a report) with every ``explanation``, and the ``notes``
    beside one (a pathway step's), in the current language (:func:`sentence`), as a copy; in English, ``value``
    itself. A record's own ``notes`` (a link's, written by people) are left as written.

    >>> use_language("pt"), in_words([{"explanation": "Speaks Sesotho.", "notes": ["Speaks Sesotho."]}])
    ('pt', [{'explanation': 'Fala Sesotho.', 'notes': ['Fala Sesotho.']}])
    >>> use_language(None)
    'en'
    """
    if current_language() == DEFAULT:
        return value
    return _said(value)


def _said(value: Any, said: bool = False) -> Any:
    """``value`` with its explanations translated (``said``: ``value`` is one, or a list of them)."""
    if isinstance(value, dict):
        explained = "explanation" in value
        return {k: _said(v, k == "explanation" or (explained and k == "notes")) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_said(v, said) for v in value]
    if isinstance(value, str) and said:
        return sentence(value)
    return value
