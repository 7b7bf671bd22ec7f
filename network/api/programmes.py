"""``/api/v1/programmes``: the programme records and each programme's report."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from network.service import programmes
from network.service.scope import ScopeArgs as _Scope
from network.translation import in_words

from .auth import can_see_protected
from .common import Blueprint, OpenObject, StrictSchema
from .state import get_store

__all__ = ["blp"]

blp = Blueprint("programmes", __name__, url_prefix="/api/v1/programmes",
                description="Programmes and their grants: sub-recipients, coverage, gaps, grants ending soon.")


class ReportArgs(_Scope, StrictSchema):
    """The day the programme is looked at."""

    class Meta(StrictSchema.Meta):
        exclude = ("province", "district")


@blp.route("")
class Programmes(MethodView):
    @blp.response(200, OpenObject)
    def get(self) -> Any:
        """Every programme record (name, funder, period, intervention areas, provinces, countries)."""
        return {"items": [vars(p) | {"start_date": p.start_date and p.start_date.isoformat(),
                                     "end_date": p.end_date and p.end_date.isoformat()}
                          for p in programmes.programmes()]}


@blp.route("/<string:programme_id>/report")
class ProgrammeReport(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, OpenObject)
    def get(self, args: dict[str, Any], programme_id: str) -> Any:
        """A programme's report: grants, sub-recipients, coverage, gaps in its area, grants ending soon."""
        return in_words(programmes.report(get_store(), programme_id, as_of=args.get("as_of"),
                                          redacted=not can_see_protected()))
