"""``/healthz``: is the service up and its store reachable?"""

from __future__ import annotations

import os
from typing import Any

from flask.views import MethodView
from marshmallow import fields

from network.errors import CssnetError

from .common import Blueprint, StrictSchema
from .state import get_store

__all__ = ["blp"]

blp = Blueprint("health", __name__, url_prefix="/healthz", description="Liveness and store reachability.")


class StoreUnavailable(CssnetError):
    """The store cannot be reached."""

    status = 503


class HealthSchema(StrictSchema):
    """The service is up; ``revision`` is the store's write counter, ``process`` the id of the process answering."""

    status = fields.String()
    revision = fields.Integer()
    process = fields.Integer()


@blp.route("")
class Health(MethodView):
    """Health check."""

    @blp.response(200, HealthSchema)
    def get(self) -> Any:
        """``{"status": "ok", "revision": n, "process": pid}``, or 503 if the store cannot be read."""
        try:
            revision = get_store().revision()
        except Exception as err:  # any store failure means unhealthy
            raise StoreUnavailable(f"The store cannot be read: {type(err).__name__}.") from err
        return {"status": "ok", "revision": revision, "process": os.getpid()}
