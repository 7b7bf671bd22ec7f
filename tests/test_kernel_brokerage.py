"""The brokerage kernel (numpy and igraph's triangles) counts what the definition counts, two-path by two-path."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from network.analysis import kernels

ROLES = ("coordinator", "gatekeeper", "representative", "consultant", "liaison")


def broker_counts(n: int, arcs: list[tuple[int, int]], group: list[int]) -> list[list[int]]:
    """The kernel, given the arcs as pairs."""
    return kernels.broker_counts(n, [a for a, _ in arcs], [b for _, b in arcs], group)


def by_definition(n: int, arcs: list[tuple[int, int]], group: list[int]) -> list[list[int]]:
    """Every two-path a -> b -> c enumerated: a != c, no arc a -> c; b's role by the three groups."""
    arc = {(a, b) for a, b in arcs if a != b}
    counts = [[0] * 5 for _ in range(n)]
    for b in range(n):
        for a, c in itertools.permutations(range(n), 2):
            if b not in (a, c) and (a, b) in arc and (b, c) in arc and (a, c) not in arc:
                ga, gb, gc = group[a], group[b], group[c]
                if ga == gb:
                    role = "coordinator" if gc == gb else "representative"
                elif gc == gb:
                    role = "gatekeeper"
                else:
                    role = "consultant" if ga == gc else "liaison"
                counts[b][ROLES.index(role)] += 1
    return counts


def test_one_two_path_of_each_role():
    # 0 -> 1 -> 2 with the groups of a, b and c as the role names them
    for groups, role in [((0, 0, 0), "coordinator"), ((1, 0, 0), "gatekeeper"), ((0, 0, 1), "representative"),
                         ((0, 1, 0), "consultant"), ((0, 1, 2), "liaison")]:
        expected = [0] * 5
        expected[ROLES.index(role)] = 1
        assert broker_counts(3, [(0, 1), (1, 2)], list(groups))[1] == expected


def test_closed_and_returning_two_paths_are_not_brokered():
    # a triangle 0 -> 1 -> 2 closed by 0 -> 2, and 3 <-> 1 (3 -> 1 -> 3 returns to where it began)
    counts = broker_counts(4, [(0, 1), (1, 2), (0, 2), (3, 1), (1, 3), (1, 1), (0, 1)], [0, 0, 0, 0])
    # through 1: 0 -> 1 -> 3 and 3 -> 1 -> 2 are open; 0 -> 1 -> 2 is closed, 3 -> 1 -> 3 returns
    assert counts == [[0] * 5, [2, 0, 0, 0, 0], [0] * 5, [0] * 5]
    assert counts == by_definition(4, [(0, 1), (1, 2), (0, 2), (3, 1), (1, 3)], [0, 0, 0, 0])


def test_no_nodes_and_no_arcs():
    assert broker_counts(0, [], []) == []
    assert broker_counts(2, [], [0, 1]) == [[0] * 5, [0] * 5]


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 9).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=4 * n),
    st.lists(st.integers(0, 3), min_size=n, max_size=n),
)))
def test_counts_match_the_definition(case):
    n, arcs, group = case
    assert broker_counts(n, arcs, group) == by_definition(n, arcs, group)
