"""The extraction check for Python: words the app builds in code and shows to people must be
marked for translation, as template words are (tests/app/test_i18n.py).

Python cannot be checked word by word as a template can (most strings are keys, codes, SQL or
log lines), so the check looks where a string reaches a person: the message of an error raised
to a page or an API client, a flash, the label, description or message of a form field, and a
dict entry or keyword argument named like a word for people (``label``, ``reason``, ...). A
literal string there, or an f-string or ``%``/``.format`` built from one, must instead go
through ``_()`` / ``_l()`` / ``ngettext()``. A name or an attribute passes (the check cannot
see what it holds; mark the string where it is written).

Left out on purpose: the demo data (credentials' own content stays in the language its designer
wrote it in), command-line output (operators), log lines, and ``badges/`` (the signed badge's own
words; never imports flask).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"

# Calls whose message reaches a person: errors answered to a page or an API client, flashes.
MESSAGE_CALLS = {
    "AppError",
    "InvalidInput",
    "NotFound",
    "Forbidden",
    "Conflict",
    "Unauthorized",
    "MissingScope",
    "TooManyTries",
    "TokenError",
    "StorageError",
    "TooLarge",
    "DamagedDocument",
    "DamagedImage",
    "ValidationError",
    "flash",
}
# found(value, message) and attempt(form, success): the message is the second argument.
SECOND_ARGUMENT_CALLS = {"found", "attempt"}
# Keyword arguments and dict keys that name words for people.
SPOKEN_NAMES = {
    "label",
    "description",
    "message",
    "reason",
    "hint",
    "help",
    "help_text",
    "summary",
    "warning",
    "explanation",
    "error",
}
MARKERS = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "pgettext"}
# Modules that are not the app's own words for people (see the module docstring).
SKIPPED = re.compile(r"(^|/)(demo|demo_\w+|cli|seed\w*)\.py$")
WORD = re.compile(r"[A-Za-z]{2,}")


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_field(name: str) -> bool:
    return name.endswith("Field") and name[:1].isupper()


def _bare(node: ast.AST | None) -> bool:
    """True when ``node`` is words written in code without a translation marker."""
    if node is None:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(WORD.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and WORD.search(str(v.value)) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return _bare(node.left) or (isinstance(node.op, ast.Add) and _bare(node.right))
    if isinstance(node, ast.Call):
        if _callee(node) in MARKERS:
            return False
        if _callee(node) == "format" and isinstance(node.func, ast.Attribute):
            return _bare(node.func.value)
        if _callee(node) == "join":  # " ".join([...]) of bare words
            return any(_bare(a) for a in node.args)
        return False
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_bare(e) for e in node.elts)
    if isinstance(node, ast.IfExp):
        return _bare(node.body) or _bare(node.orelse)
    return False


def unmarked(source: str) -> Iterator[tuple[int, str]]:
    """(line, what) for each place in ``source`` where unmarked words reach a person."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = _callee(node)
            if name in MESSAGE_CALLS and node.args and _bare(node.args[0]):
                yield node.lineno, f"{name}(...) message"
            if name in SECOND_ARGUMENT_CALLS and len(node.args) > 1 and _bare(node.args[1]):
                yield node.lineno, f"{name}(...) message"
            if name in SECOND_ARGUMENT_CALLS and any(
                k.arg == "success" and _bare(k.value) for k in node.keywords
            ):
                yield node.lineno, f"{name}(success=...) message"
            if _is_field(name) and node.args and _bare(node.args[0]):
                yield node.lineno, f"{name}(...) label"
            for keyword in node.keywords:
                if keyword.arg in SPOKEN_NAMES and _bare(keyword.value):
                    yield node.lineno, f"{name}({keyword.arg}=...)"
                if (
                    keyword.arg == "fields"
                    and isinstance(keyword.value, ast.Dict)
                    and any(_bare(v) for v in keyword.value.values)
                ):
                    yield node.lineno, f"{name}(fields=...) message"
                if keyword.arg == "choices" and isinstance(keyword.value, (ast.List, ast.Tuple)):
                    for choice in keyword.value.elts:
                        if isinstance(choice, ast.Tuple) and any(_bare(e) for e in choice.elts[1:]):
                            yield node.lineno, f"{name}(choices=...) label"
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in SPOKEN_NAMES and _bare(value):
                    yield node.lineno, f"{{{key.value!r}: ...}}"


def _packages() -> list[str]:
    """app's own modules, grouped by package so that a failure names where to look."""
    return sorted({str(p.parent.relative_to(ROOT)) for p in APP.rglob("*.py")})


def _modules(package: str) -> list[Path]:
    return [
        p
        for p in sorted((ROOT / package).glob("*.py"))
        if not SKIPPED.search(str(p.relative_to(ROOT)))
    ]


def test_the_check_finds_unmarked_words() -> None:
    found = list(
        unmarked(
            "raise InvalidInput('Give a title.')\n"
            "raise NotFound(f'No plan {n}.')\n"
            "flash('Saved %s' % name)\n"
            "x = found(row, 'No such row.')\n"
            "title = StringField('Title')\n"
            "d = {'label': 'Open'}\n"
            "InvalidInput(_('ok'), fields={'title': 'Required.'})\n"
            "Length(max=5, message='Too long.')\n"
        )
    )
    assert [line for line, _what in found] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert not list(
        unmarked(
            "raise InvalidInput(_('Give a title.'))\n"
            "raise NotFound(_l('No plan %(n)s.', n=n))\n"
            "flash(message)\n"
            "x = found(row, _('No such row.'))\n"
            "title = StringField(_l('Title'))\n"
            "d = {'label': _l('Open'), 'code': 'open'}\n"
            "raise InvalidInput(error.message)\n"
            "y = {'message': ''}\n"
        )
    )


@pytest.mark.parametrize("package", _packages())
def test_words_for_people_are_marked_in_python(package: str) -> None:
    problems = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in _modules(package)
        for line, what in unmarked(path.read_text())
    ]
    assert not problems, "words not marked for translation:\n" + "\n".join(problems)
