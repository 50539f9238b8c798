"""Imports every feature's API module so their routes land on the /api/v1 blueprint."""

from app.auth import api as auth_api  # noqa: F401
from app.credentials import api as credentials_api  # noqa: F401
