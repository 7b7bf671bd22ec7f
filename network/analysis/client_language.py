"""The client's language on a referral plan: providers that speak it are preferred, and the plan says so."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx

from network.language import language_code, language_name, unknown_language
from network.translation import N_

__all__ = ["LanguageRule", "SPEAKS_BONUS"]

#: How much cheaper a step is to a provider that lists the client's language (and dearer to one that lists
#: languages without it); a formal referral hop costs 1.
SPEAKS_BONUS = 0.5


@dataclass(frozen=True)
class LanguageRule:
    """A pathway ``StepRule``: a step to a provider that speaks the client's language costs less, and says so.

    ``speaks`` maps organisations that record their languages to whether the
    client's language is among them; organisations that record none are left
    out and neither favoured nor penalised (nobody knows). A step to a
    provider that speaks it costs ``bonus`` less ("Speaks Sesotho."); one to
    a provider that lists other languages only costs ``bonus`` more and
    suggests an interpreter.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", languages=["English", "Sesotho"]); G.add_node("b", languages=["English"]); G.add_node("c")
    >>> rule = LanguageRule.for_graph(G, "st")
    >>> rule.extra_cost("c", "a", "l1"), rule.extra_cost("c", "b", "l2"), rule.extra_cost("a", "c", "l1")
    (-0.5, 0.5, 0.0)
    >>> rule.notes("c", "a", "l1"), rule.notes(None, "c", None)
    (['Speaks Sesotho.'], [])
    >>> rule.notes("c", "b", "l2")
    ['Does not list Sesotho among its languages: ask about an interpreter.']
    """

    language: str
    speaks: Mapping[str, bool]
    bonus: float = SPEAKS_BONUS

    @classmethod
    def for_graph(cls, G: nx.MultiDiGraph, language: str, *, bonus: float = SPEAKS_BONUS) -> LanguageRule:
        """The rule for a client speaking ``language`` (a code or a name) among the organisations of ``G``.

        Raises ``ValueError`` for a language it does not know.
        """
        code = language_code(language)
        if code is None:
            raise ValueError(unknown_language(language))
        speaks = {node: code in {language_code(text) for text in spoken}
                  for node, spoken in G.nodes(data="languages") if spoken}
        return cls(code, speaks, bonus)

    @property
    def adds_cost(self) -> bool:
        """False when no organisation records its languages: then no step costs more or less."""
        return bool(self.speaks)

    @property
    def key(self) -> tuple[str, str]:
        """What distinguishes this rule's answers from another's (the pathway answers are remembered by it)."""
        return ("language", self.language)

    def extra_cost(self, sender: str, receiver: str, link: str | None) -> float:
        """Less for a provider that speaks the language, more for one that lists others only, else nothing."""
        if receiver not in self.speaks:
            return 0.0
        return -self.bonus if self.speaks[receiver] else self.bonus

    def notes(self, sender: str | None, receiver: str, link: str | None) -> list[str]:
        """Whether the provider speaks the client's language, in words (nothing when it records no languages)."""
        if receiver not in self.speaks:
            return []
        name = language_name(self.language)
        if self.speaks[receiver]:
            return [N_("Speaks %(language)s.") % {"language": name}]
        return [N_("Does not list %(language)s among its languages: ask about an interpreter.") % {"language": name}]
