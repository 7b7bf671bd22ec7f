"""Coordinated pairs of organisations of one district, numbered and counted per overlap with numpy.

Used by :mod:`network.analysis.duplication`: two organisations are coordinated when a link in force joins them
or both have a ``coordination`` or ``membership`` link to one third (a forum). A service overlap counts its
coordinated pairs. The pairs are found once for all overlaps, from the numbered ends of the links
(:attr:`~network.analysis.layers.Layers.ends`), as integer codes, instead of as sets of id pairs per
(district, service, population).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat

import numpy as np

from network.analysis.kernels import distinct

__all__ = ["Coordinated", "Profile"]

#: An organisation's district, services and populations.
Profile = tuple[str, frozenset[str], frozenset[str]]


class Coordinated:
    """The coordinated pairs among organisations of one district: tied, or members of one forum.

    Parameters
    ----------
    profiles : dict
        The district, services and populations (:data:`Profile`) of each
        organisation considered; the others are ignored.
    nodes : sequence of str
        The organisations the links are numbered by.
    tails, heads : numpy.ndarray of int
        The numbers (positions in ``nodes``) of the ends of each link.
    meets : numpy.ndarray of bool
        Which links make each end a member of the other (a forum or body):
        two members of one meet there.

    Examples
    --------
    >>> import numpy as np
    >>> profiles = {n: ("Waterberg", frozenset({"art"}), frozenset({"mineworkers"})) for n in "abc"}
    >>> links = np.array([[0, 1], [1, 3], [2, 3]])  # a-b referral, b and c members of forum f
    >>> coordinated = Coordinated(profiles, "abcf", links[:, 0], links[:, 1], np.array([False, True, True]))
    >>> ("a", "b") in coordinated, ("a", "c") in coordinated, coordinated.counts()
    (True, False, {('Waterberg', 'art', 'mineworkers'): 2})
    """

    def __init__(self, profiles: dict[str, Profile], nodes: Sequence[str], tails: np.ndarray, heads: np.ndarray,
                 meets: np.ndarray) -> None:
        self._profiles = profiles
        self._nodes = sorted(profiles)
        self._index = {node: i for i, node in enumerate(self._nodes)}
        self._districts = sorted({profile[0] for profile in profiles.values()})
        numbers = {district: i for i, district in enumerate(self._districts)}
        self._district = np.fromiter((numbers[profiles[node][0]] for node in self._nodes), np.int64,
                                     len(self._nodes))
        # The number of each link end among the organisations considered, -1 for the others.
        placed = np.fromiter(map(self._index.get, nodes, repeat(-1)), np.int64, len(nodes))
        self._codes = distinct(np.concatenate((
            self._tied(placed[tails], placed[heads]), self._met(tails[meets], heads[meets], placed))))
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
        district, rest = np.divmod(found, max(len(services) * len(populations), 1))
        service, population = np.divmod(rest, max(len(populations), 1))
        return {(self._districts[d], services[s], populations[p]): c for d, s, p, c in
                zip(district.tolist(), service.tolist(), population.tolist(), counts.tolist(), strict=True)}

    def _tied(self, tails: np.ndarray, heads: np.ndarray) -> np.ndarray:
        """The codes ``i * n + j`` (``i < j``) of the pairs of one district joined by a link (given by its ends)."""
        kept = (tails >= 0) & (heads >= 0) & (tails != heads)
        tails, heads = tails[kept], heads[kept]
        tails, heads = np.minimum(tails, heads), np.maximum(tails, heads)
        return (tails * len(self._nodes) + heads)[self._district[tails] == self._district[heads]]

    def _met(self, tails: np.ndarray, heads: np.ndarray, placed: np.ndarray) -> np.ndarray:
        """The codes ``i * n + j`` (``i < j``) of the pairs of one district that are members of one forum, from
        the links that make members (their ends numbered as ``placed``'s positions)."""
        kept = tails != heads
        forum = np.concatenate((heads[kept], tails[kept]))
        member = placed[np.concatenate((tails[kept], heads[kept]))]
        forum, member = forum[member >= 0], member[member >= 0]
        n = len(self._nodes)
        group = forum * len(self._districts) + self._district[member]
        rows = distinct(group * n + member)  # by forum and district, then member; each member once
        group, member = rows // n, rows % n
        starts = np.flatnonzero(np.concatenate(([True], group[1:] != group[:-1])))
        ends = np.repeat(np.append(starts[1:], len(group)), np.diff(np.append(starts, len(group))))
        later = ends - np.arange(len(group)) - 1  # the members after each in its forum and district
        at = np.repeat(np.arange(len(group)) + 1 - np.cumsum(later) + later, later) + np.arange(int(later.sum()))
        return np.repeat(member, later) * n + member[at]


def _incidence(sets: list[frozenset[str]]) -> tuple[list[str], np.ndarray]:
    """The values of ``sets``, sorted, and a matrix: row ``i`` flags the values in ``sets[i]``."""
    values = sorted(set().union(*sets))
    numbers = {value: i for i, value in enumerate(values)}
    flags = np.zeros((len(sets), len(values)), dtype=bool)
    rows = np.repeat(np.arange(len(sets)), [len(s) for s in sets])
    flags[rows, [numbers[value] for s in sets for value in s]] = True
    return values, flags
