"""The page language: asked for (``?lang=``), remembered in a cookie, or the browser's; a switch on every page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, has_request_context, request
from flask.blueprints import BlueprintSetupState
from flask_babel import Babel, get_locale

from network.language import CATALOGS, LANGUAGES, choose
from network.translation import follow

from .blueprint import bp

__all__ = ["page_language"]

_KEY = "lang"
_ONE_YEAR = 365 * 24 * 3600


def page_language() -> str:
    """The language of this request's page: asked for, else remembered, else the browser's best, else English."""
    return choose(request.args.get(_KEY), request.cookies.get(_KEY), request.accept_languages.values())


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    Babel(state.app, locale_selector=page_language, default_translation_directories=str(CATALOGS))
    follow(_request_language)


def _request_language() -> str | None:
    """The request's language for messages the domain and the service word (pages and API alike)."""
    return str(get_locale() or "en") if has_request_context() else None


@bp.after_request
def _remember(response: Response) -> Response:
    """Remember a language asked for; tell caches the page depends on the language."""
    asked = request.args.get(_KEY)
    if asked in LANGUAGES:
        response.set_cookie(_KEY, asked, max_age=_ONE_YEAR, samesite="Lax")
    response.vary.update(("Accept-Language", "Cookie"))
    return response


def _switch_to(code: str) -> str:
    """This page's address in language ``code``, keeping its other query arguments."""
    kept = [(key, value) for key, value in request.args.items(multi=True) if key != _KEY]
    return f"{request.path}?{urlencode([*kept, (_KEY, code)])}"


@bp.app_context_processor
def _languages() -> dict[str, Any]:
    return {"languages": LANGUAGES, "language": str(get_locale() or "en"), "switch_to": _switch_to}
