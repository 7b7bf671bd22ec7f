"""How refused input is reported: one line per field, the refused value named, nested fields dotted."""

from __future__ import annotations

import reprlib
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError

from network.errors import InvalidData
from network.schema_fields import BAD_LINE
from network.translation import N_, translate

__all__ = ["load_record", "problem_lines", "translated", "MARSHMALLOW_MESSAGES"]

#: marshmallow's own refusals, for the catalogs: each is translated as it is reported (see :func:`_flatten`).
MARSHMALLOW_MESSAGES = (
    N_("Missing data for required field."), N_("Unknown field."), N_("Field may not be null."),
    N_("Not a valid string."), N_("Not a valid integer."), N_("Not a valid number."), N_("Not a valid boolean."),
    N_("Not a valid date."), N_("Not a valid datetime."), N_("Not a valid list."), N_("Not a valid mapping type."),
    N_("Not a valid email address."), N_("Not a valid URL."), N_("Invalid input type."), N_("Invalid value."),
    N_("Not an object."), N_("Special numeric values (nan or infinity) are not permitted."),
)
#: A record that is not a JSON object, by the noun :func:`load_record` is given.
_NOT_AN_OBJECT = {"organisation": N_("An organisation must be a JSON object."),
                  "link": N_("A link must be a JSON object."), "programme": N_("A programme must be a JSON object.")}


def load_record(schema: Schema, data: Mapping[str, Any], noun: str) -> Any:
    """``data`` loaded by ``schema``, or ``InvalidData`` naming each bad field and the value it refused."""
    if not isinstance(data, Mapping):
        article = "An" if noun[0] in "aeiou" else "A"
        message = _NOT_AN_OBJECT.get(noun, f"{article} {noun} must be a JSON object.")
        raise InvalidData(translate(message), {"_schema": [translate("Not an object.")]})
    try:
        return schema.load(data)
    except ValidationError as err:
        errors = _with_values(_flatten(err.messages), data)
        raise InvalidData(_summary(errors), errors) from None


def _with_values(errors: dict[str, list[str]], data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Name the offending value in each message that does not already quote it."""
    named: dict[str, list[str]] = {}
    for key, messages in errors.items():
        value = data.get(key.split(".")[0])
        if key in data and value is not None:
            shown = _shown(value)
            if not any(shown in m for m in messages):
                messages = [*messages, translate("Got '%(value)s'.", value=shown)]
        named[key] = messages
    return named


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict = 3, 60, 60, 6, 6


def _shown(value: Any) -> str:
    """A short, printable rendering of a refused value: bad characters escaped, deep values cut."""
    if not isinstance(value, str):
        return _REPR.repr(value)
    text = value if len(value) <= 60 else value[:57] + "..."
    return BAD_LINE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _flatten(messages: Any) -> dict[str, list[str]]:
    if not isinstance(messages, dict):
        return {"_schema": [translate(m) for m in messages] if isinstance(messages, list) else [translate(messages)]}
    flat: dict[str, list[str]] = {}
    for raw, value in messages.items():
        key = _shown(str(raw))  # unknown fields and external_ids keys are caller text
        if isinstance(value, dict):
            for sub, msgs in _flatten(value).items():
                flat[f"{key}.{sub}" if sub != "_schema" else key] = msgs
        else:
            flat[key] = [translate(m) for m in value] if isinstance(value, list) else [translate(value)]
    return flat


def _summary(errors: dict[str, list[str]]) -> str:
    return "; ".join(problem_lines(errors))


def problem_lines(messages: Any) -> list[str]:
    """One line per refused field, nested fields dotted: how every error message words its problems (marshmallow's
    own refusals in the caller's language).

    >>> problem_lines({"query": {"kind": ["Unknown organisation kind 'x'."]}, "name": ["Too long."]})
    ['name: Too long.', "query.kind: Unknown organisation kind 'x'."]
    """
    found: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                name = _shown(str(key))  # unknown fields and external_ids keys are caller text
                walk(f"{prefix}.{name}" if prefix else name, sub)
        else:
            found.append((prefix, " ".join(translate(m) for m in (value if isinstance(value, list) else [value]))))

    walk("", messages)
    return [f"{field}: {text}" for field, text in sorted(found)]


def translated(messages: Any) -> Any:
    """``messages`` (a field's refusals, nested by field) with every message in the caller's language.

    >>> translated({"query": {"limit": ["Not a valid integer."]}})
    {'query': {'limit': ['Not a valid integer.']}}
    """
    if isinstance(messages, dict):
        return {key: translated(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [translated(m) for m in messages]
    return translate(messages) if isinstance(messages, str) else messages
