"""Marshmallow schemas for the portfolio API. Bodies are checked for shape here (422 with
field messages); the rules (handles, lengths, her e-mail never shown, verification of outside
badges) live in ``app.portfolio.service``, which answers the pages the same way."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate, validates_schema


class PortfolioPatchSchema(Schema):
    enabled = fields.Boolean(truthy={True}, falsy={False})
    handle = fields.String(validate=validate.Length(max=100))
    display_name = fields.String(validate=validate.Length(max=200))
    bio = fields.String(validate=validate.Length(max=2000))
    show_communities = fields.Boolean(truthy={True}, falsy={False})


class PortfolioBadgeInSchema(Schema):
    """Exactly one: ``assertion_id`` (one of her badges from here: its uid or URL), or another
    issuer's badge as ``url``, ``jws`` or ``image`` (base64 of a baked PNG or SVG)."""

    assertion_id = fields.String(load_default=None, validate=validate.Length(max=2000))
    url = fields.String(load_default=None, validate=validate.Length(max=2000))
    jws = fields.String(load_default=None, validate=validate.Length(max=200_000))
    image = fields.String(load_default=None, validate=validate.Length(max=7_000_000))
    filename = fields.String(load_default=None, validate=validate.Length(max=255))

    @validates_schema
    def _one(self, data: dict[str, Any], **_kwargs: Any) -> None:
        given = [k for k in ("assertion_id", "url", "jws", "image") if data.get(k)]
        if len(given) != 1:
            raise ValidationError(
                _("Give exactly one of assertion_id, url, jws, image."), "_schema"
            )
