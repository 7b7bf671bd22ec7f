"""Coordinated pairs of organisations of one district, numbered and counted per overlap with numpy.

Used by :mod:`network.analysis.duplication`: two organisations are coordinated when they are tied or meet in a
forum; a service overlap counts its coordinated pairs. The pairs are found once for all overlaps, as integer
codes, instead of as sets of id pairs per (district, service, population).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat

import numpy as np

__all__ = ["Coordinated"]

#: An organisation's district, services and populations.
Profile = tuple[str, frozenset[str], frozenset[str]]


class Coordinated:
    """The coordinated pairs among organisations of one district: tied, or members of one forum.

    Parameters
    ----------
    profiles : dict
        The district, services and populations (:data:`Profile`) of each organisation considered.
    neighbours : mapping
        The organisations each organisation is tied to (others than those of ``profiles`` are ignored).
    forum_links : iterable of tuples
        Links ``(u, v, ...)`` through which organisations meet: each end is a
        member of the other (a forum or body), and two members of one meet.

    Examples
    --------
    >>> profiles = {n: ("Waterberg", frozenset({"art"}), frozenset({"mineworkers"})) for n in "abc"}
    >>> coordinated = Coordinated(profiles, {"a": {"b"}, "b": {"a"}}, [("b", "forum"), ("c", "forum")])
    >>> ("a", "b") in coordinated, ("a", "c") in coordinated, coordinated.counts()
    (True, False, {('Waterberg', 'art', 'mineworkers'): 2})
    """

    def __init__(self, profiles: dict[str, Profile], neighbours: Mapping[str, Iterable[str]],
                 forum_links: Iterable[Sequence[str]]) -> None:
        self._profiles = profiles
        self._nodes = sorted(profiles)
        self._index = {node: i for i, node in enumerate(self._nodes)}
        self._districts = sorted({profile[0] for profile in profiles.values()})
        numbers = {district: i for i, district in enumerate(self._districts)}
        self._district = np.array([numbers[profiles[node][0]] for node in self._nodes], dtype=np.int64)
        self._codes = np.unique(np.concatenate((self._tied(neighbours), self._met(forum_links))))
        self._known = set(self._codes.tolist())

    def __contains__(self, pair: tuple[str, str]) -> bool:
        """True if the pair (``a < b``, both of ``profiles``, one district) is coordinated."""
        return self._index[pair[0]] * len(self._nodes) + self._index[pair[1]] in self._known

    def counts(self) -> dict[tuple[str, str, str], int]:
        """The number of coordinated pairs that offer each (district, service, population) together."""
        n = len(self._nodes)
        first, second = self._codes // n, self._codes % n
        services, offers = _incidence([self._profiles[node][1] for node in self._nodes])
        populations, targets = _incidence([self._profiles[node][2] for node in self._nodes])
        pair, service = np.nonzero(offers[first] & offers[second])
        row, population = np.nonzero(targets[first[pair]] & targets[second[pair]])
        code = (self._district[first[pair[row]]] * len(services) + service[row]) * len(populations) + population
        found, counts = np.unique(code, return_counts=True)
        district, rest = np.divmod(found, len(services) * len(populations))
        service, population = np.divmod(rest, len(populations))
        return {(self._districts[d], services[s], populations[p]): c for d, s, p, c in
                zip(district.tolist(), service.tolist(), population.tolist(), counts.tolist(), strict=True)}

    def _tied(self, neighbours: Mapping[str, Iterable[str]]) -> np.ndarray:
        """The codes ``i * n + j`` (``i < j``) of the tied pairs of one district."""
        in_district: dict[str, set[str]] = defaultdict(set)
        for node, profile in self._profiles.items():
            in_district[profile[0]].add(node)
        firsts: list[int] = []
        seconds: list[int] = []
        for node, others in neighbours.items():
            profile = self._profiles.get(node)
            if profile is not None:
                same = in_district[profile[0]].intersection(others)  # by set in C, however many ties
                firsts.extend(repeat(self._index[node], len(same)))
                seconds.extend(map(self._index.__getitem__, same))
        first, second = np.array(firsts, dtype=np.int64), np.array(seconds, dtype=np.int64)
        return (first * len(self._nodes) + second)[first < second]

    def _met(self, forum_links: Iterable[Sequence[str]]) -> np.ndarray:
        """The codes ``i * n + j`` (``i < j``) of the pairs of one district that are members of one forum."""
        links = [link for link in forum_links if link[0] != link[1]]
        members = [link[0] for link in links] + [link[1] for link in links]
        forums = members[len(links):] + members[:len(links)]
        numbers = {node: i for i, node in enumerate(dict.fromkeys(forums))}
        forum = np.fromiter(map(numbers.__getitem__, forums), np.int64, len(forums))
        member = np.fromiter(map(self._index.get, members, repeat(-1)), np.int64, len(members))
        forum, member = forum[member >= 0], member[member >= 0]
        n = len(self._nodes)
        group = forum * len(self._districts) + self._district[member]
        rows = _distinct(group * n + member)  # sorted by forum and district, then member; each member once
        group, member = rows // n, rows % n
        starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
        ends = np.repeat(np.append(starts[1:], len(group)), np.diff(np.append(starts, len(group))))
        later = ends - np.arange(len(group)) - 1  # members after each in its forum and district
        at = np.repeat(np.arange(len(group)) + 1 - np.cumsum(later) + later, later) + np.arange(int(later.sum()))
        return np.repeat(member, later) * n + member[at]


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct ``values``, sorted."""
    ordered = np.sort(values)
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(ordered) else ordered


def _incidence(sets: list[frozenset[str]]) -> tuple[list[str], np.ndarray]:
    """The values of ``sets``, sorted, and a matrix: row ``i`` flags the values in ``sets[i]``."""
    values = sorted(set().union(*sets))
    numbers = {value: i for i, value in enumerate(values)}
    flags = np.zeros((len(sets), len(values)), dtype=bool)
    rows = np.repeat(np.arange(len(sets)), [len(s) for s in sets])
    flags[rows, [numbers[value] for s in sets for value in s]] = True
    return values, flags
