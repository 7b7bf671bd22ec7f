"""The pages' blueprint: templates and assets from ``web/``, a form token, one error page (headers: ``api.headers``)."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, session
from flask_babel import gettext

from network.api.auth import caller
from network.api.errors import RETRY_AFTER_SECONDS
from network.errors import Busy, CssnetError
from network.visual import web_dir

__all__ = ["bp", "error_page", "favicon"]

_WEB = web_dir()
bp = Blueprint("pages", __name__, url_prefix="/", template_folder=str(_WEB / "templates"),
               static_folder=str(_WEB / "static"), static_url_path="/assets")

def error_page(message: str, status: int) -> tuple[str, int]:
    """The one error page: the message for people, with the status."""
    return render_template("error.html", message=message), status


@bp.before_request
def _csrf() -> None:
    """Give the session a form token, and refuse a form post without it."""
    session.setdefault("csrf", secrets.token_urlsafe(24))
    if request.method == "POST" and request.form.get("csrf") != session["csrf"]:
        abort(400, gettext("The form expired: reload the page and try again."))


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The site's icon (an SVG in ``web/static``), where browsers look for it first."""
    response = bp.send_static_file("favicon.svg")
    response.cache_control.max_age = 86400
    return response


@bp.app_context_processor
def _common() -> dict[str, Any]:
    return {"role": caller().role, "csrf": session.get("csrf", "")}


@bp.errorhandler(CssnetError)
def _error(error: CssnetError) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    if isinstance(error, Busy):
        return *error_page(error.message, error.status), {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return error_page(error.message, error.status)
