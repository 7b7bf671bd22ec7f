"""The marshmallow schema of programme records (``seed/vocabulary/programmes.json``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import fields, post_load, validate, validates_schema

from network.model import Programme
from network.schema_errors import load_record
from network.schema_fields import MAX_CODES, VALID_ID, Strict, Text, check_period, codes, known_country

__all__ = ["ProgrammeSchema", "load_programme"]


class ProgrammeSchema(Strict):
    """A programme record (``seed/vocabulary/programmes.json``)."""

    id = Text(required=True, validate=VALID_ID)
    name = Text(required=True, validate=validate.Length(max=300))
    funder = Text(allow_none=True, load_default=None, validate=VALID_ID)
    start_date = fields.Date(allow_none=True, load_default=None)
    end_date = fields.Date(allow_none=True, load_default=None)
    intervention_areas = codes("intervention_areas", "intervention area")
    provinces = codes("provinces", "province")
    countries = fields.List(Text(validate=known_country), load_default=list, validate=MAX_CODES)
    description = Text(load_default="", multiline=True, blank="empty", validate=validate.Length(max=5000))

    @validates_schema
    def _period(self, data: Mapping[str, Any], **_: Any) -> None:
        check_period(data.get("start_date"), data.get("end_date"))

    @post_load
    def _make(self, data: dict[str, Any], **_: Any) -> Programme:
        return Programme(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


def load_programme(data: Mapping[str, Any]) -> Programme:
    """Validate one programme record, or raise ``InvalidData`` naming each bad field.

    >>> load_programme({"id": "bz", "name": "CSS programme", "provinces": ["Limpopo"]}).provinces
    ('Limpopo',)
    """
    return load_record(ProgrammeSchema(), data, "programme")
