"""Name blocks: the pairs of records of one district whose names are worth scoring as one organisation.

Used by duplicate detection (:mod:`network.analysis.record_matching`, which describes the blocks). Records,
words and blocking keys are numbered and the blocks are found by sorting with numpy, so the work per record
is a few list appends, not a dict entry per key.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence, Sized
from itertools import chain, compress
from operator import attrgetter, itemgetter
from typing import Any, Protocol

import numpy as np

from network.analysis.kernels import distinct
from network.analysis.names import Name, fold

__all__ = ["candidate_pairs", "name_candidates"]

#: Look-ups into name blocks larger than this are skipped (a safety net: blocks are small by construction).
MAX_NAME_BLOCK = 200
#: A name token held by more records than this in one district does not tell organisations apart there.
RARE_TOKEN = 20
#: A distinctive word at least this long is also blocked under its one-letter deletions.
TYPO_LENGTH = 4
#: A distinctive word this long or longer is also blocked under its first letters (typos late in long words).
PREFIX_LENGTH = 6

#: The letters of a key as numbers 1-37 (0 pads): words are lower-case letters and digits, ``*`` ends a prefix.
_SYMBOLS = np.zeros(128, dtype=np.uint8)  # words are ASCII (see names.words)
_SYMBOLS[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz0123456789*", dtype=np.uint8)] = np.arange(1, 38, dtype=np.uint8)
#: Letters packed into one int64 (38 ** 12 < 2 ** 63) and their place values.
_PACKED = 12
_PLACES = 38 ** np.arange(_PACKED - 1, -1, -1, dtype=np.int64)

_Pair = tuple[str, str]


class Blocked(Protocol):
    """What blocking reads of a record: its id, district, names and the distinct telling words of its names."""

    id: str
    district: str | None
    names: tuple[Name, ...]
    telling: tuple[str, ...]


def candidate_pairs(records: Sequence[Blocked]) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of records in one district that share a name block.

    Parameters
    ----------
    records : sequence
        The records (see :class:`Blocked`).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The numbers (positions in ``records``) of the two records of each
        pair, the one with the smaller id first, in order of those ids.

    Notes
    -----
    Per district, a record is filed under the keys (:func:`word_keys`) of
    the telling words of its names held by at most ``RARE_TOKEN`` records
    there, and under the initials of each name of three words or more (a
    one-word name of three letters or more: under itself). It looks up the
    keys of each name's top (first telling) word when that is rare there,
    and its one-word names. Two records are paired when one looks up a key
    the other is filed under and at most ``MAX_NAME_BLOCK`` records are
    filed under it.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from network.analysis.names import NameBook
    >>> written = ["Lesedi Clinic", "Tshwaraganang Clinic", "Tshwaranang Clinic"]
    >>> book = NameBook(written)
    >>> records = [SimpleNamespace(id=i, district="Waterberg", names=(name,), telling=name.telling)
    ...            for i, name in zip("cba", map(book.name, written))]
    >>> [pair.tolist() for pair in candidate_pairs(records)]
    [[2], [1]]
    """
    if len(records) < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    district = _numbered_values(list(map(attrgetter("district"), records)))[0]
    names = list(chain.from_iterable(map(attrgetter("names"), records)))
    owner = np.repeat(np.arange(len(records)), _lengths(map(attrgetter("names"), records)))
    words, held, sought = _word_rows(records, names, owner)
    filed, looked = _initials_rows(names, owner)
    word_of, key_of, keys = word_keys(words)
    rare_held, rare_sought = _rare(district, len(words), held, sought)
    start = np.searchsorted(word_of, np.arange(len(words) + 1))
    filed_at = np.concatenate((_expand(held[rare_held], start, key_of), filed + [0, keys]))
    looked_at = np.concatenate((_expand(sought[rare_sought], start, key_of), looked + [0, keys]))
    return _paired(records, district, filed_at, looked_at, keys + int(filed[:, 1].max(initial=-1)) + 1)


def _word_rows(records: Sequence[Blocked], names: list[Name], owner: np.ndarray,
               ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The distinct telling words, numbered by position, and (record, word) rows: each telling word a record holds,
    and the top word of each of its names (``names``, of the records ``owner``)."""
    tellings = list(map(attrgetter("telling"), records))
    held_words, words = _numbered_values(list(chain.from_iterable(tellings)))
    held = np.column_stack((np.repeat(np.arange(len(records)), _lengths(tellings)), held_words))
    tops = list(map(itemgetter(slice(0, 1)), map(attrgetter("telling"), names)))  # () or (top word,)
    number = dict(zip(words, range(len(words)), strict=True))
    top = np.fromiter(map(number.__getitem__, chain.from_iterable(tops)), np.int64)
    return words, held, np.column_stack((owner[_lengths(tops) > 0], top))


def _initials_rows(names: list[Name], owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(record, initials number) rows of the records filed under initials: a one-word name of three letters or
    more under itself (and it looks that up: the first rows, returned again), a name of three words or more under
    its initials."""
    length = _lengths(map(attrgetter("words"), names))
    alone = list(map(itemgetter(0), map(attrgetter("words"), compress(names, length == 1))))
    acronym = _lengths(alone) >= 3
    initials, _ = _numbered_values([*compress(alone, acronym),
                                    *compress(map(attrgetter("initials"), names), length >= 3)])
    acronyms = np.flatnonzero(length == 1)[acronym]
    filed = np.column_stack((owner[np.concatenate((acronyms, np.flatnonzero(length >= 3)))], initials))
    return filed, filed[:len(acronyms)]


def name_candidates(records: Sequence[Blocked]) -> set[_Pair]:
    """The pairs of :func:`candidate_pairs` as record ids (smaller id first).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from network.analysis.names import NameBook
    >>> written = ["Tshwaraganang Clinic", "Tshwaranang Clinic", "Lesedi Clinic"]
    >>> book = NameBook(written)
    >>> records = [SimpleNamespace(id=i, district="Waterberg", names=(name,), telling=name.telling)
    ...            for i, name in zip("abc", map(book.name, written))]
    >>> name_candidates(records)
    {('a', 'b')}
    """
    first, second = candidate_pairs(records)
    return {(records[i].id, records[j].id) for i, j in zip(first.tolist(), second.tolist(), strict=True)}


def word_keys(words: list[str]) -> tuple[np.ndarray, np.ndarray, int]:
    """The blocking keys of each word: the word as written and as it sounds (:func:`~network.analysis.names.fold`),
    each with its one-letter deletions when it has ``TYPO_LENGTH`` letters or more and its first ``PREFIX_LENGTH``
    letters (and ``*``) when it has that many.

    Returns the (word number, key number) of each distinct key of each word, sorted, and the number of keys;
    two words share a key when they have the same key number. The keys a word alone has are one key.

    Examples
    --------
    >>> word_of, key_of, keys = word_keys(["lesedi", "lesed", "tau"])
    >>> [set(key_of[word_of == w].tolist()) & set(key_of[word_of == 1].tolist()) != set() for w in range(3)]
    [True, True, False]
    """
    if not words:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 0
    forms = np.array([*words, *map(fold, words)])
    width = max(PREFIX_LENGTH + 1, forms.dtype.itemsize // 4)  # room for the ``*`` ending a prefix
    letters = _SYMBOLS[forms.astype(f"U{width}").view(np.uint32).reshape(len(forms), width)]
    length = np.char.str_len(forms)
    owner = np.arange(len(forms), dtype=np.int64) % len(words)
    rows, owners = [letters], [owner]
    typo = length >= TYPO_LENGTH
    blank = np.zeros((len(forms), 1), dtype=np.uint8)
    for i in range(width):
        at = typo & (i < length)
        rows.append(np.hstack((letters[at, :i], letters[at, i + 1:], blank[at])))
        owners.append(owner[at])
    at = length >= PREFIX_LENGTH
    prefix = np.zeros((int(at.sum()), width), dtype=np.uint8)
    prefix[:, :PREFIX_LENGTH] = letters[at, :PREFIX_LENGTH]
    prefix[:, PREFIX_LENGTH] = _SYMBOLS[ord("*")]
    rows.append(prefix)
    owners.append(owner[at])
    key_of = _numbered(_packed(np.vstack(rows)))
    keys = int(key_of.max()) + 1
    pairs = distinct(np.concatenate(owners) * keys + key_of)
    word_of, key_of = pairs // keys, pairs % keys
    # A key no other word has blocks the records holding the word, as any other such key: one of them stands.
    alone = np.bincount(key_of, minlength=keys)[key_of] == 1
    key_of[alone] = keys + word_of[alone]
    keys += len(words)
    pairs = distinct(word_of * keys + key_of)
    return pairs // keys, pairs % keys, keys


def _packed(rows: np.ndarray) -> list[np.ndarray]:
    """Each row of letters as one int64 per ``_PACKED`` letters (equal rows, equal numbers), last first."""
    width = -(-rows.shape[1] // _PACKED) * _PACKED
    padded = np.zeros((len(rows), width), dtype=np.uint8)
    padded[:, :rows.shape[1]] = rows
    padded = padded.astype(np.int64)
    return [padded[:, c:c + _PACKED] @ _PLACES for c in range(width - _PACKED, -1, -_PACKED)]


def _numbered(columns: list[np.ndarray]) -> np.ndarray:
    """The number of each row's distinct value (rows given as columns, the last the most significant)."""
    order = np.lexsort(columns)
    changed = np.zeros(len(order), dtype=bool)
    for column in columns:
        ordered = column[order]
        changed[1:] |= ordered[1:] != ordered[:-1]
    numbers = np.empty(len(order), dtype=np.int64)
    numbers[order] = np.cumsum(changed)
    return numbers


def _lengths(sized: Iterable[Sized]) -> np.ndarray:
    return np.fromiter(map(len, sized), np.int64)


def _numbered_values(values: list[Hashable]) -> tuple[np.ndarray, list[Any]]:
    """The number of each of ``values`` (its position among the distinct values) and the distinct values."""
    seen = list(dict.fromkeys(values))
    number = dict(zip(seen, range(len(seen)), strict=True))
    return np.fromiter(map(number.__getitem__, values), np.int64, len(values)), seen


def _rare(district: np.ndarray, words: int, held: np.ndarray, sought: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which (record, word) rows of ``held`` and ``sought`` are of a word held by at most ``RARE_TOKEN`` records
    of the record's district."""
    code = district[held[:, 0]] * words + held[:, 1]
    present = distinct(code)
    at = np.searchsorted(present, code)
    counts = np.bincount(at, minlength=len(present))
    sought_counts = counts[np.searchsorted(present, district[sought[:, 0]] * words + sought[:, 1])]
    return counts[at] <= RARE_TOKEN, sought_counts <= RARE_TOKEN


def _expand(rows: np.ndarray, start: np.ndarray, key_of: np.ndarray) -> np.ndarray:
    """(record, key) for each key of the word of each (record, word) row; ``start`` indexes ``key_of`` by word."""
    first, count = start[rows[:, 1]], start[rows[:, 1] + 1] - start[rows[:, 1]]
    at = np.repeat(first - np.cumsum(count) + count, count) + np.arange(int(count.sum()))
    return np.column_stack((np.repeat(rows[:, 0], count), key_of[at]))


def _paired(records: Sequence[Blocked], district: np.ndarray, filed: np.ndarray, looked: np.ndarray,
            keys: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of a record looking up a key (``looked``) and another filed under it in its district (``filed``,
    (record, key) rows, a record once per key), where the key's block is not larger than ``MAX_NAME_BLOCK``."""
    filed = distinct(filed[:, 0] * keys + filed[:, 1])
    records_filed = filed // keys
    block = district[records_filed] * keys + filed % keys
    order = np.argsort(block, kind="stable")
    block, records_filed = block[order], records_filed[order]
    wanted = district[looked[:, 0]] * keys + looked[:, 1]
    first, last = np.searchsorted(block, wanted), np.searchsorted(block, wanted, side="right")
    size = last - first
    at = (size >= 2) & (size <= MAX_NAME_BLOCK)
    first, size, seeker = first[at], size[at], looked[at, 0]
    a = np.repeat(seeker, size)
    b = records_filed[np.repeat(first - np.cumsum(size) + size, size) + np.arange(int(size.sum()))]
    ids = [r.id for r in records]
    order = sorted(range(len(ids)), key=ids.__getitem__)
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    a, b = rank[a[a != b]], rank[b[a != b]]
    codes = distinct(np.minimum(a, b) * len(ids) + np.maximum(a, b))
    positions = np.array(order, dtype=np.int64)
    return positions[codes // len(ids)], positions[codes % len(ids)]
