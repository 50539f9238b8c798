from flask import Blueprint

bp = Blueprint("issuance", __name__)
ob = Blueprint("ob", __name__, url_prefix="/ob")  # the hosted Open Badges documents
