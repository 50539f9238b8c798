"""Flask CLI commands: seed-demo and maintenance."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from app import demo

    app.cli.add_command(demo.seed_demo_command)
