"""Every error as JSON ``{code, status, message, errors}``: never an HTML page, never a stack trace."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from network.errors import Busy, CssnetError
from network.schema_errors import translated
from network.schemas import problem_lines
from network.translation import N_, translate

__all__ = ["error_response", "register_error_handlers", "http_exception_payload", "RETRY_AFTER_SECONDS"]

#: How long a caller refused with 503 (the store busy with another write) is asked to wait.
RETRY_AFTER_SECONDS = 2

_DEFAULT_MESSAGES = {
    413: N_("The request body is too large."),
    415: N_("Send the body as application/json."),
    422: N_("The request is not valid."),
}
#: werkzeug's own words for an error raised without any (an unknown address, a method a route does not take).
_GENERIC_MESSAGES = {
    400: N_("The request could not be understood."),
    404: N_("Nothing is found at this address."),
    405: N_("This address does not take that method."),
}


def error_response(status: int, message: str, errors: dict[str, Any] | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    """A JSON error response."""
    response = jsonify({"code": status, "status": HTTPStatus(status).phrase, "message": message,
                        "errors": errors or {}})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def http_exception_payload(error: HTTPException) -> tuple[dict[str, Any], int, dict[str, str]]:
    """The JSON body, status and headers for a werkzeug HTTP exception (webargs data included)."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = translated(data.get("errors") or data.get("messages") or {})
    default = _DEFAULT_MESSAGES.get(status)
    generic = _GENERIC_MESSAGES.get(status) if error.description == type(error).description else None
    message = (data.get("message") or "; ".join(problem_lines(errors)) or (default and translate(default))
               or (generic and translate(generic)) or error.description)
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    payload = {"code": status, "status": HTTPStatus(status).phrase, "message": message, "errors": errors}
    return payload, status, headers


def register_error_handlers(app: Flask) -> None:
    """Answer domain errors, HTTP errors and anything unexpected with JSON."""

    @app.errorhandler(CssnetError)
    def _domain(error: CssnetError) -> Response:
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if isinstance(error, Busy) else None
        return error_response(error.status, error.message, error.errors, headers)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            payload, status, headers = http_exception_payload(error)
            return error_response(status, payload["message"], payload["errors"], headers)
        app.logger.exception("unexpected error")
        return error_response(500, translate("Something went wrong on the server; the error was logged."))

