"""``/api/v1/vocabulary``: the codes organisations and links may use."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import fields

from network.model import vocabulary

from .common import Blueprint, StrictSchema

__all__ = ["blp"]

blp = Blueprint("vocabulary", __name__, url_prefix="/api/v1/vocabulary",
                description="Service, population, kind and place codes.")


class VocabularySchema(StrictSchema):
    """The whole vocabulary."""

    services = fields.List(fields.Dict())
    populations = fields.List(fields.Dict())
    organisation_kinds = fields.List(fields.Dict())
    link_kinds = fields.List(fields.Dict())
    intervention_areas = fields.List(fields.Dict())
    cascade_rules = fields.List(fields.Dict())
    provinces = fields.List(fields.Dict())
    countries = fields.List(fields.Dict())
    data_kinds = fields.List(fields.Dict())
    hotspots = fields.List(fields.Dict())


@blp.route("")
class Vocabulary(MethodView):
    """The vocabulary in force."""

    @blp.response(200, VocabularySchema)
    def get(self) -> Any:
        """Every code: services, populations (with essential services), kinds, cascade rules, places."""
        return vocabulary().as_dict()
