"""badges/ is framework-free: it never imports flask, sqlalchemy, marshmallow or the app."""

from __future__ import annotations

import ast
from pathlib import Path

FORBIDDEN = {"flask", "flask_sqlalchemy", "sqlalchemy", "marshmallow", "app", "werkzeug"}


def test_badges_imports_no_framework() -> None:
    offenders = []
    for path in (Path(__file__).resolve().parents[2] / "badges").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
