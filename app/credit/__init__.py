from flask import Blueprint

from app import events

bp = Blueprint("credit", __name__)

from app.credit import api, service, views  # noqa: E402,F401

events.subscribe("assertion_revoked", service.on_assertion_revoked)
