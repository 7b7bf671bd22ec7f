"""The HTTP API: ``create_app`` builds the Flask app (flask-smorest, OpenAPI 3 at ``/api/v1/openapi.json``).

Configuration: defaults, then the environment (``CSSNET_STORE``,
``CSSNET_SECRET_KEY`` — a random key when unset — ``CSSNET_MAX_BODY_MB`` and
``CSSNET_SECURE_COOKIES``, for a server behind an HTTPS proxy: the session cookie is then always
``Secure``, as it is anyway for a request that arrives over HTTPS),
then ``test_config``. ``STORE`` may be a location or an already open store.
Lists answer a JSON envelope ``{items, total, limit, offset}``.
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
from typing import Any

from flask import Flask, request
from flask_smorest import Api as _Api
from werkzeug.exceptions import HTTPException

from network.pages import bp as pages_bp
from network.translation import translate

from .auth import SessionCookies
from .errors import error_response, http_exception_payload, register_error_handlers
from .headers import security_headers
from .readcache import ReadCache
from .state import close_store, get_store, init_store

__all__ = ["create_app", "get_store", "close_store", "API_BLUEPRINTS"]

#: The API's blueprint modules, one per feature.
API_BLUEPRINTS = ("health", "vocabulary", "organisations", "links", "analysis", "visual", "exports", "imports",
                  "audit", "tokens", "merge", "history", "referrals",
                  "monitoring", "invitations", "review", "surveys",
                  "programmes")

_MULTIPART_PATHS = ("/api/v1/import",)


class Api(_Api):
    """flask-smorest's Api, answering every HTTP error as ``{code, status, message, errors}``."""

    def handle_http_exception(self, error: HTTPException) -> Any:
        payload, status, headers = http_exception_payload(error)
        return error_response(status, payload["message"], payload["errors"], headers)


def _defaults() -> dict[str, Any]:
    return {
        "STORE": None,
        "SECRET_KEY": None,
        "MAX_BODY_MB": 20,
        "API_TITLE": "cssnet",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "API_SPEC_OPTIONS": {
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{}, {"bearerAuth": []}],
            "info": {"description": "The cssnet partner network over HTTP. Reads are open (sensitive "
                                    "organisations' locations and contacts hidden); writes need a token."},
        },
    }


def _from_environment() -> dict[str, Any]:
    found: dict[str, Any] = {}
    if os.environ.get("CSSNET_STORE"):
        found["STORE"] = os.environ["CSSNET_STORE"]
    if os.environ.get("CSSNET_SECRET_KEY"):
        found["SECRET_KEY"] = os.environ["CSSNET_SECRET_KEY"]
    if os.environ.get("CSSNET_MAX_BODY_MB"):
        found["MAX_BODY_MB"] = float(os.environ["CSSNET_MAX_BODY_MB"])
    if os.environ.get("CSSNET_SECURE_COOKIES", "").lower() in ("1", "true", "yes"):
        found["SESSION_COOKIE_SECURE"] = True
    return found


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the cssnet app; nothing connects until the first request needs the store."""
    app = Flask(__name__, static_folder=None)
    app.config.update(_defaults())
    app.config.update(_from_environment())
    app.config.update(test_config or {})
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = secrets.token_urlsafe(32)
    app.config["MAX_CONTENT_LENGTH"] = int(float(app.config["MAX_BODY_MB"]) * 1024 * 1024)
    app.json.sort_keys = False

    app.session_interface = SessionCookies()
    init_store(app)
    register_error_handlers(app)
    api = Api(app)
    app.extensions["cssnet_api"] = api
    for name in API_BLUEPRINTS:
        api.register_blueprint(importlib.import_module(f"{__name__}.{name}").blp)
    from .docs import blp as docs_blp

    app.register_blueprint(docs_blp)
    app.register_blueprint(pages_bp)
    app.before_request(_check_body_type)
    app.after_request(security_headers)
    app.wsgi_app = ReadCache(app)  # type: ignore[method-assign]
    return app


def _check_body_type() -> Any:
    """Refuse (415) a write to the API whose body is not JSON (multipart for imports)."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith("/api/v1/"):
        return None
    if request.path in _MULTIPART_PATHS:
        if request.mimetype != "multipart/form-data":
            return error_response(415, translate("Send the files as multipart/form-data."))
        return None
    if not request.is_json:
        return error_response(415, translate("Send the body as application/json."))
    try:
        json.loads(request.get_data(cache=True) or b"null")
    except (ValueError, RecursionError) as err:
        reason = translate("it is nested too deeply") if isinstance(err, RecursionError) else str(err).split(":")[0]
        return error_response(400, translate("The body is not JSON this API can read: %(reason)s.", reason=reason))
    return None
