"""Every page and API route, registered on the app by ``create_app``.

A feature package holds only its blueprint (``bp``); its ``views.py`` and ``api.py`` add the
routes. Importing this module imports every one of them, and only ``create_app`` imports it,
so importing a service never imports a view.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from app import (
    api,
    auth,
    catalog,
    communities,
    credentials,
    credit,
    issuance,
    learning,
    main,
    ops,
    orgs,
    portfolio,
    programs,
    reviews,
    submissions,
    verify,
)
from app.auth import api as auth_api  # noqa: F401 - routes on the /api/v1 blueprint
from app.auth import views as auth_views  # noqa: F401
from app.catalog import views as catalog_views  # noqa: F401
from app.communities import api as communities_api  # noqa: F401
from app.communities import practice_api as communities_practice_api  # noqa: F401
from app.communities import practice_views as communities_practice_views  # noqa: F401
from app.communities import views as communities_views  # noqa: F401
from app.credentials import api as credentials_api  # noqa: F401
from app.credentials import views as credentials_views  # noqa: F401
from app.credit import api as credit_api  # noqa: F401
from app.credit import views as credit_views  # noqa: F401
from app.extensions import csrf
from app.issuance import api as issuance_api  # noqa: F401
from app.issuance import hosted  # noqa: F401 - the /ob documents
from app.issuance import views as issuance_views  # noqa: F401
from app.learning import api as learning_api  # noqa: F401
from app.learning import research_api as learning_research_api  # noqa: F401
from app.learning import research_views as learning_research_views  # noqa: F401
from app.learning import views as learning_views  # noqa: F401
from app.main import views as main_views  # noqa: F401
from app.ops import views as ops_views  # noqa: F401
from app.orgs import api as orgs_api  # noqa: F401
from app.orgs import views as orgs_views  # noqa: F401
from app.portfolio import api as portfolio_api  # noqa: F401
from app.portfolio import views as portfolio_views  # noqa: F401
from app.programs import api as programs_api  # noqa: F401
from app.programs import views as programs_views  # noqa: F401
from app.reviews import api as reviews_api  # noqa: F401
from app.reviews import views as reviews_views  # noqa: F401
from app.submissions import api as submissions_api  # noqa: F401
from app.submissions import views as submissions_views  # noqa: F401
from app.verify import views as verify_views  # noqa: F401 - a page and an API route

BLUEPRINTS: tuple[Blueprint, ...] = (
    main.bp,
    auth.bp,
    orgs.bp,
    credentials.bp,
    catalog.bp,
    verify.bp,
    submissions.bp,
    reviews.bp,
    issuance.bp,
    issuance.ob,
    credit.bp,
    programs.bp,
    learning.bp,
    communities.bp,
    portfolio.bp,
    ops.bp,
    api.bp,
)


def register(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    csrf.exempt(api.bp)  # bearer tokens only, never the session cookie (app/api/__init__.py)
