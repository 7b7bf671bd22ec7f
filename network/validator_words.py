"""marshmallow's validator refusals in the caller's language: their default messages, made :class:`lazy`.

A validator words its refusal with ``str.format`` when a value is refused (``Must be one of: a, b.``), so the
finished text is no catalog's message; a :class:`lazy` default is translated before the values go in. ``Range``
fills its comparison words in when it is built, so its messages become one message per comparison.

>>> from marshmallow import validate
>>> from network.translation import use_language
>>> use_language("fr"), validate.OneOf(["a", "b"])._format_error("c"), use_language(None)
('fr', 'Doit être l’un de : a, b.', 'en')
>>> at_least_one = validate.Range(min=1)
>>> at_least_one._format_error(0, at_least_one.message_min), use_language("pt")
('Must be greater than or equal to 1.', 'pt')
>>> at_least_one._format_error(0, at_least_one.message_min), use_language(None)
('Deve ser maior ou igual a 1.', 'en')
"""

from __future__ import annotations

from typing import Any

from marshmallow import validate

from network.translation import N_, lazy

__all__ = ["RANGE_MESSAGES"]

#: ``Range``'s messages once it has filled in its comparison words, for the catalogs.
RANGE_MESSAGES = (
    N_("Must be greater than or equal to {min}."), N_("Must be greater than {min}."),
    N_("Must be less than or equal to {max}."), N_("Must be less than {max}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be greater than or equal to {min} and less than {max}."),
    N_("Must be greater than {min} and less than or equal to {max}."),
    N_("Must be greater than {min} and less than {max}."),
)


class _template(lazy):  # noqa: N801 - used like lazy
    """A message whose first ``format`` (the comparison words, when ``Range`` is built) gives a :class:`lazy`."""

    def format(self, *args: Any, **kwargs: Any) -> str:
        return lazy(str.__str__(self).format(*args, **kwargs))


validate.OneOf.default_message = lazy("Must be one of: {choices}.")
validate.ContainsOnly.default_message = lazy("One or more of the choices you made was not in: {choices}.")
validate.NoneOf.default_message = lazy("One or more of the choices you made was in: {values}.")
validate.Equal.default_message = lazy("Must be equal to {other}.")
validate.Regexp.default_message = lazy("String does not match expected pattern.")
validate.Length.message_min = lazy("Shorter than minimum length {min}.")
validate.Length.message_max = lazy("Longer than maximum length {max}.")
validate.Length.message_all = lazy("Length must be between {min} and {max}.")
validate.Length.message_equal = lazy("Length must be {equal}.")
validate.Range.message_min = _template("Must be {min_op} {{min}}.")
validate.Range.message_max = _template("Must be {max_op} {{max}}.")
validate.Range.message_all = _template("Must be {min_op} {{min}} and {max_op} {{max}}.")
