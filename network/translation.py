"""Messages in the caller's language, in a web request or at the command line, from the gettext catalogs.

The domain, the schemas and the service word their refusals with
:func:`translate` (and :func:`ntranslate` for counts) when they raise them, so
the message reaches the caller in the caller's language without the domain
knowing about Flask: the web layer tells this module how to read a request's
language (:func:`follow`), the command line sets its own (:func:`use_language`).
A message written before anyone asks, such as a validator's error built into
a schema, is :func:`lazy`: it is translated each time it is used. :func:`N_`
only marks a message for the catalogs; it is translated where it is shown.

Messages are written in English with ``%(name)s`` placeholders; a message with
no translation, or in a language without a catalog, stays English.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from functools import lru_cache
from gettext import NullTranslations
from typing import Any

from babel.support import Translations

from network.language import CATALOGS, DEFAULT, LANGUAGES, choose

__all__ = ["translate", "ntranslate", "lazy", "N_", "follow", "use_language", "current_language",
           "environment_language"]

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


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs without translating it yet (it is translated where it is shown)."""
    return message


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
