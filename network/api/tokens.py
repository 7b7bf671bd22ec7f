"""``/api/v1/tokens``: create, list and revoke API tokens (admins)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from marshmallow import fields, validate

from network.schemas import Text
from network.service.tokens import TOKEN_ROLES, create_token, list_tokens, revoke_token

from .auth import caller, require
from .common import Blueprint, StrictSchema
from .state import get_store

__all__ = ["blp"]

blp = Blueprint("tokens", __name__, url_prefix="/api/v1/tokens", description="API tokens (admins).")


class TokenBody(StrictSchema):
    """A token to create."""

    name = Text(required=True, validate=validate.Length(min=1, max=100))
    role = fields.String(required=True, validate=validate.OneOf(TOKEN_ROLES))
    organisation = fields.String(load_default=None, metadata={
        "description": "The organisation a bound role (referrer) acts for: required for it, refused for others."})


class TokenSchema(StrictSchema):
    """A token as listed: never its secret or hash."""

    id = fields.String()
    name = fields.String()
    role = fields.String()
    organisation = fields.String(allow_none=True)
    created_at = fields.DateTime()
    revoked = fields.Boolean()


class NewTokenSchema(StrictSchema):
    """A created token and its secret (shown this once only)."""

    token = fields.Nested(TokenSchema)
    secret = fields.String()


@blp.route("")
class Tokens(MethodView):
    """The tokens."""

    @require("admin")
    @blp.response(200, TokenSchema(many=True))
    def get(self) -> Any:
        """List tokens, newest first (admins)."""
        return list_tokens(get_store())

    @require("admin")
    @blp.arguments(TokenBody)
    @blp.response(201, NewTokenSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a token (admins); the secret is in the answer and nowhere else."""
        token, secret = create_token(get_store(), body["name"], body["role"], actor=caller().actor,
                                     organisation=body["organisation"])
        return {"token": token, "secret": secret}


@blp.route("/<string:token_id>")
class TokenById(MethodView):
    """One token."""

    @require("admin")
    @blp.response(204)
    def delete(self, token_id: str) -> None:
        """Revoke a token (admins); 404 if unknown."""
        revoke_token(get_store(), token_id, actor=caller().actor)
