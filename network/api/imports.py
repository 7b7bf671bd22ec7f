"""``/api/v1/import``: load uploaded files into the store, all or nothing (admins)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from network.errors import InvalidData
from network.service.transfer import IMPORT_FORMATS, import_bytes
from network.translation import translate

from .auth import caller, require
from .common import Blueprint, StrictSchema
from .state import get_store

__all__ = ["blp"]

blp = Blueprint("import", __name__, url_prefix="/api/v1/import", description="Import files (admins).")

class ImportForm(StrictSchema):
    format = fields.String(required=True, validate=validate.OneOf(tuple(IMPORT_FORMATS)))


class ImportFiles(StrictSchema):
    """csv takes ``organisations`` and/or ``links`` (or one zip as ``file``); other formats one ``file``."""

    organisations = Upload()
    links = Upload()
    file = Upload()


class ImportResultSchema(StrictSchema):
    organisations_created = fields.Integer()
    organisations_updated = fields.Integer()
    links_created = fields.Integer()
    links_updated = fields.Integer()


@blp.route("")
class Import(MethodView):
    @require("admin")
    @blp.arguments(ImportForm, location="form")
    @blp.arguments(ImportFiles, location="files")
    @blp.response(200, ImportResultSchema)
    def post(self, form: dict[str, Any], uploads: dict[str, Any]) -> Any:
        """Import uploaded files (multipart form); any bad row refuses all, with a per-row report (422)."""
        files = {_file_name(field, upload.filename, form["format"]): upload.read() for field, upload in uploads.items()}
        if not files:
            raise InvalidData(translate("Upload at least one file."), {"files": [translate("No file uploaded.")]})
        return import_bytes(get_store(), form["format"], files, actor=caller().actor)


def _file_name(field: str, filename: str | None, fmt: str) -> str:
    """The name an upload is imported under: the CSV fields name their kind, ``file`` keeps its own name."""
    if field in ("organisations", "links"):
        return f"{field}.csv"
    return (filename or f"upload.{fmt}").replace("\\", "/").rsplit("/", 1)[-1] or f"upload.{fmt}"
