"""Demo data: `flask --app app seed-demo`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Create the demo issuer, credentials, district and one account per role (idempotent)."""
    click.echo("nothing to seed yet")
