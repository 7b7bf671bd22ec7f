"""What the no-English-left test reads: a page's visible words, and which of them are English left untranslated.

A page's visible text is its text nodes outside ``<script>``, ``<style>`` and
``<template>``, and the ``title``, ``placeholder``, ``aria-label`` and ``alt``
of any element and the ``value`` of buttons. A text is English left over when
it holds a message of the catalogs (a page word, a vocabulary label, an error
message, an analysis's sentence template) whose translation in the page's
language differs from it: a whole text, a part between punctuation, or three
words or more in a row inside a longer text. A proper noun (an organisation's
or programme's name) holding such words is not counted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

from babel.messages.pofile import read_po

from seed import catalogs

#: Attributes a person reads (or hears from a screen reader).
_READ = ("title", "placeholder", "aria-label", "alt")
_HIDDEN = {"script", "style", "template"}
_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'’-]*")
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
#: Where a text splits into parts that may each be one message (a label, a heading, a value).
_PARTS = re.compile(r"\s*(?:[:·|•()\[\],;/—–?!]|\s-\s|\.\s|\.$)\s*")
#: A run of words this long inside a longer text is searched for as a message of its own.
_RUN = 3


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._hidden = 0
        self._data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.texts += [v for name in _READ if (v := values.get(name))]
        button = tag == "button" or (tag == "input" and values.get("type") in ("submit", "button", "reset"))
        if button and values.get("value"):
            self.texts.append(values["value"] or "")
        if tag in _HIDDEN:
            self._hidden += 1
            self._data = tag == "script" and values.get("type") == "application/json"

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self._hidden:
            self._hidden -= 1
            self._data = False

    def handle_data(self, data: str) -> None:
        if self._data:  # words a page's script shows (tooltips, legends, messages)
            self.texts += json_strings(json.loads(data))
        elif not self._hidden and data.strip():
            self.texts.append(data)


_CODE = re.compile(r"[a-z_]+")


def json_strings(value: Any) -> Iterator[str]:
    """Every string value in a JSON document but codes (keys, and lower-case words such as ``active``, are for
    programs, not people).

    >>> list(json_strings({"a": ["Xy z", {"b": "Yes"}, "active"], "n": 1}))
    ['Xy z', 'Yes']
    """
    if isinstance(value, str):
        if not _CODE.fullmatch(value):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


def visible_texts(page: str) -> list[str]:
    """The texts a person reads on an HTML page, whitespace collapsed.

    >>> visible_texts('<p title="Hi">A <b>b</b></p><script>x()</script><input type="submit" value="Go">')
    ['Hi', 'A', 'b', 'Go']
    """
    parser = _Text()
    parser.feed(page)
    parser.close()
    return [" ".join(t.split()) for t in parser.texts]


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text))


@dataclass
class English:
    """The catalog messages whose translation into one language differs from their English."""

    code: str
    #: A message without placeholders, as its words.
    phrases: dict[tuple[str, ...], str] = field(default_factory=dict)
    #: Messages with placeholders: (the message, a pattern of it), filed under their longest word.
    templates: dict[str, list[tuple[str, re.Pattern[str]]]] = field(default_factory=dict)

    def add(self, message: str) -> None:
        if not _PLACEHOLDER.search(message):
            words = _words(message)
            if words:
                self.phrases.setdefault(words, message)
            return
        literal = _PLACEHOLDER.split(message)
        fixed = [w for part in literal[::2] if part for w in _words(part)]
        if len(fixed) < 2 or sum(map(len, fixed)) < 10:
            return  # too little of its own to tell it from another language's words
        pattern = "".join(re.escape(part) if i % 2 == 0 else ".+?" for i, part in enumerate(_interleave(message)))
        key = max(fixed, key=len)
        self.templates.setdefault(key, []).append((message, re.compile(pattern)))


def _interleave(message: str) -> list[str]:
    """``message`` split into literal parts and placeholders, alternately (literal first)."""
    out: list[str] = []
    at = 0
    for match in _PLACEHOLDER.finditer(message):
        out += [message[at:match.start()], match.group(0)]
        at = match.end()
    return [*out, message[at:]]


@lru_cache(maxsize=4)
def english(code: str) -> English:
    """Every message of the catalogs that ``code`` translates into something else."""
    with catalogs._po_path(code).open("rb") as handle:
        catalog = read_po(handle, locale=code)
    found = English(code)
    for message in catalog:
        if not message.id or not catalogs.translated(message):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for source in ids:
            if not any(_words(source) == _words(s) for s in strings):  # not only its spacing or punctuation
                found.add(source)
    return found


@dataclass(frozen=True)
class Leftover:
    language: str
    message: str
    text: str
    where: str

    def __str__(self) -> str:
        return f"[{self.language}] {self.where}: {self.message!r} in {self.text!r}"


def _messages_in(text: str, words: English, longest: int) -> Iterator[str]:
    for part in _PARTS.split(text):
        found = words.phrases.get(_words(part))
        if found:
            yield found
    run = _words(text)
    for size in range(_RUN, min(len(run), longest) + 1):
        for start in range(len(run) - size + 1):
            found = words.phrases.get(run[start:start + size])
            if found:
                yield found
    for word in set(run):
        for message, pattern in words.templates.get(word, ()):
            if pattern.search(text):
                yield message


class Audit:
    """Finds English left in texts shown in one language, allowing the data's own free text (names, notes)."""

    def __init__(self, code: str, free_text: Iterable[str]):
        self.code, self.words = code, english(code)
        self.free = {n for n in free_text if n}
        self._longest = max((len(w) for w in self.words.phrases), default=0)
        self._seen: dict[str, list[str]] = {}
        #: How many texts were read.
        self.texts = 0

    def leftovers(self, text: str) -> list[str]:
        """The English messages in ``text`` that are not inside free text of the data it holds."""
        self.texts += 1
        if text not in self._seen:
            found = set() if text in self.free else set(_messages_in(text, self.words, self._longest))
            if found:
                held = [n for n in self.free if n in text]
                found = {m for m in found if not any(m in n for n in held)}
            self._seen[text] = sorted(found)
        return self._seen[text]

    def page(self, where: str, page: str) -> list[Leftover]:
        """The English left on an HTML ``page`` (found at ``where``)."""
        return [Leftover(self.code, m, t, where) for t in visible_texts(page) for m in self.leftovers(t)]
