"""What the page families share: query arguments, results remembered per store revision, names and choices."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from marshmallow import Schema, ValidationError

from network.analysis.finding import SEVERITIES
from network.api.auth import can_see_protected
from network.api.state import get_store
from network.model import vocabulary
from network.schemas import problem_lines
from network.service import analyses
from network.service.memo import Memo

from .labels import label
from .places import grouped_districts, grouped_provinces

__all__ = ["hide", "load", "labelled", "flat", "drawings", "findings", "ranked", "names", "Names", "choices"]


def hide() -> bool:
    """True if the caller may not see sensitive organisations' protected fields."""
    return not can_see_protected()


def flat(args: Any) -> dict[str, Any]:
    """Query arguments as one value each (``need`` as a list), leaving out empty ones."""
    data = {k: v for k, v in args.to_dict(flat=False).items()}
    found = {k: (v if k == "need" else v[0]) for k, v in data.items() if v and (k == "need" or v[0] != "")}
    if "need" in found:
        found["need"] = [n for n in found["need"] if n]
    return found


def load(schema: Schema, args: Any, words: Mapping[str, Any] | None = None) -> tuple[dict[str, Any], list[str]]:
    """The arguments ``schema`` accepts, and one line per refused one (set to ``None``), each starting with the
    field's label on the page (``words``: labels by argument, ``%(number)s`` the place of a list's item) where
    ``words`` has it."""
    given = flat(args)
    try:
        return schema.load(given), []
    except ValidationError as err:
        cleaned = {k: v for k, v in given.items() if k not in err.messages}
        lines = [labelled(line, words or {}) for line in problem_lines(err.messages)]
        return {**schema.load(cleaned), **{k: None for k in err.messages}}, lines


def labelled(line: str, words: Mapping[str, Any]) -> str:
    """A problem line with its field by its label: ``need.0: ...`` as ``Need 1: ...``.

    >>> from network.api import create_app
    >>> with create_app({"TESTING": True, "STORE": None}).test_request_context():
    ...     labelled("need.1: Unknown service code 'x'.", {"need": "Need %(number)s"})
    "Need 2: Unknown service code 'x'."
    >>> labelled("start: Not an id.", {})
    'start: Not an id.'
    """
    where, sep, message = line.partition(": ")
    name, _, place = where.partition(".")
    if not sep or name not in words:
        return line
    label = str(words[name])
    label = label % {"number": int(place) + 1 if place.isdigit() else 1} if "%(number)s" in label else label
    return gettext("%(field)s: %(problem)s", field=label, problem=message)


#: Explorer drawings: each holds a whole network's nodes and links, so only a few are kept.
drawings = Memo(4)


def findings(topic: str, hidden: bool) -> list[dict[str, Any]]:
    """The gap or duplication findings the caller may see."""
    query = analyses.gaps if topic == "gaps" else analyses.duplication
    return query(get_store(), redacted=hidden)


def ranked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings, the most severe first."""
    order = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(rows, key=lambda f: (order.get(f.get("severity"), len(order)), f.get("type", "")))


class Names(dict):
    """Organisation names by id, with each organisation's province."""

    def __init__(self, graph: Any):
        super().__init__((n, d.get("name") or n) for n, d in graph.nodes(data=True))
        self._graph = graph

    def province(self, org_id: str) -> str | None:
        """The province of ``org_id``, if known."""
        return self._graph.nodes[org_id].get("province") if org_id in self._graph else None


def names(hidden: bool) -> Names:
    """The names of every organisation (from the graph the caller may see)."""
    return Names(analyses.analysis_graph(get_store(), redacted=hidden))


def choices(hidden: bool) -> dict[str, list[tuple[str, str]]]:
    """The options of the pages' drop-down lists, labelled from the vocabulary in the page's language."""
    vocab = vocabulary()
    return {
        "countries": [(code, label(code, "countries")) for code in vocab.countries],
        "provinces": grouped_provinces(),
        "districts": grouped_districts(),
        "intervention_areas": [(code, label(code, "intervention_areas")) for code in vocab.intervention_areas],
        "kinds": [(code, label(code, "organisation_kinds")) for code in vocab.organisation_kinds],
        "services": sorted(((code, label(code, "services")) for code in vocab.services), key=lambda kv: kv[1]),
        "populations": sorted(((code, label(code, "populations")) for code in vocab.populations),
                              key=lambda kv: kv[1]),
        "link_kinds": [(code, label(code, "link_kinds")) for code in vocab.link_kinds],
        "organisations": sorted(names(hidden).items(), key=lambda kv: kv[1])[:5000],
    }
