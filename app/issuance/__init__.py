from flask import Blueprint

from app import events

bp = Blueprint("issuance", __name__)
ob = Blueprint("ob", __name__, url_prefix="/ob")

from app.issuance import api, bulk, hosted, service, views  # noqa: E402,F401

events.subscribe("submission_decided", service.on_decided)
