"""Plain words shared by the analyses: organisation names, lists, counts, dates and vocabulary labels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache

import networkx as nx

from network.model import Vocabulary
from network.translation import N_, joined, named

__all__ = ["Names", "name", "names", "join", "count", "long_date", "lower_first", "label", "services", "populations"]


def name(G: nx.MultiDiGraph, node: str) -> str:
    """The organisation's name, or its id when it has none (or is not in ``G``); remembered when it holds
    ``and`` (``network.translation.named``), so a sentence naming it is translated with the name whole.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", name="Hope CBO")
    >>> G.add_node("b")
    >>> name(G, "a"), name(G, "b"), name(G, "c")
    ('Hope CBO', 'b', 'c')
    """
    data = G._node.get(node)  # the dict behind G.nodes, without a view per lookup
    return named(data.get("name") or node if data is not None else node)


def names(G: nx.MultiDiGraph, nodes: Sequence[str], shown: int = 3) -> str:
    """Names joined in words: ``A, B and C``, or ``A, B, C and 4 others`` past ``shown`` + 1.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from("abcde")
    >>> names(G, "abcd"), names(G, "abcde")
    ('a, b, c and d', 'a, b, c and 2 others')
    """
    return Names(G).names(nodes, shown)


class Names(dict[str, str]):
    """The names of ``G``'s organisations (:func:`name`), each looked up once: for analyses naming many.

    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("a", {"name": "Hope CBO"}), ("b", {"name": "Sizwe Clinic"})])
    >>> said = Names(G)
    >>> said["a"], said.names(["a", "b", "c"])
    ('Hope CBO', 'Hope CBO, Sizwe Clinic and c')
    """

    def __init__(self, G: nx.MultiDiGraph) -> None:
        super().__init__()
        self.G = G

    def __missing__(self, node: str) -> str:
        self[node] = text = name(self.G, node)
        return text

    def names(self, nodes: Sequence[str], shown: int = 3) -> str:
        """:func:`names` of ``nodes``."""
        if len(nodes) > shown + 1:
            return join([*(self[n] for n in nodes[:shown]), f"{len(nodes) - shown} " + N_("others")])
        return join([self[n] for n in nodes])


def join(parts: Sequence[str], last: str = "and") -> str:
    """``A``, ``A and B``, ``A, B and C`` (or ``last`` in place of ``and``); nothing for no parts.

    The list is written in English and remembered (``network.translation.joined``), so where it is shown in
    another language its ``and`` is that language's too.

    >>> join(["A"]), join(["A", "B", "C"]), join(["A", "B"], "or"), join([])
    ('A', 'A, B and C', 'A or B', '')
    """
    return joined(parts, last)


def count(n: int, noun: str) -> str:
    """``1 link``, ``2 links``.

    >>> count(1, "link"), count(2, "link")
    ('1 link', '2 links')
    """
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def long_date(day: dt.date) -> str:
    """A date as people write it: ``20 December 2026``.

    >>> import datetime as dt
    >>> long_date(dt.date(2026, 12, 20))
    '20 December 2026'
    """
    return f"{day.day} {day:%B %Y}"


@lru_cache(maxsize=1024)
def lower_first(label: str) -> str:
    """Lower-case a label's first letter unless its first word is an acronym (``TB``, ``HIV``, ``PrEP``).

    >>> lower_first("Antiretroviral therapy"), lower_first("TB treatment"), lower_first("PrEP")
    ('antiretroviral therapy', 'TB treatment', 'PrEP')
    """
    first = label.split(" ", 1)[0]
    return label[0].lower() + label[1:] if label and first[1:] == first[1:].lower() else label


def label(labels: dict[str, str], code: str) -> str:
    """The label of ``code`` in ``labels`` (else the code), its first letter lower-cased as by :func:`lower_first`.

    >>> label({"art": "Antiretroviral therapy"}, "art"), label({}, "tb")
    ('antiretroviral therapy', 'tb')
    """
    return lower_first(labels.get(code, code))


def services(voc: Vocabulary, codes: Sequence[str], shown: int = 3) -> str:
    """Service labels in words, lower-cased where they are not acronyms, past ``shown`` + 1 with a count of the rest.

    >>> from network.model import vocabulary
    >>> services(vocabulary(), ["art", "tb_treatment"])
    'antiretroviral therapy and TB treatment'
    """
    labels = [label(voc.services, c) for c in codes]
    if len(labels) > shown + 1:
        return join([*labels[:shown], f"{len(labels) - shown} " + N_("other services")])
    return join(labels)


def populations(voc: Vocabulary, codes: Sequence[str | None], last: str = "and", shown: int = 3) -> str:
    """Population labels in words (None is the general population), past ``shown`` + 1 with a count of the rest.

    >>> from network.model import vocabulary
    >>> populations(vocabulary(), ["sex_workers", None], "or")
    'sex workers or the general population'
    """
    labels = [label(voc.populations, c) if c else "the general population" for c in codes]
    if len(labels) > shown + 1:
        return join([*labels[:shown], f"{len(labels) - shown} " + N_("other populations")], last)
    return join(labels, last)
