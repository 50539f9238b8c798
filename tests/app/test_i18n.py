"""English and Spanish: the language each request is answered in, the switch, and the
catalogue's completeness.

The catalogue checks fail when a string marked with ``_()`` has no Spanish yet (run
``make translations`` and translate it), when a translation lost a placeholder, and when a
template listed in ``TRANSLATED`` shows words that are not marked for translation.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import Environment
from sqlalchemy import select

from app.db import db
from app.models.accounts import User
from tests.app.people import make_user, sign_in

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "app" / "translations" / "es" / "LC_MESSAGES" / "messages.po"
COMPILED = CATALOGUE.with_suffix(".mo")

# Templates whose every word goes through the catalogue (globs under templates/). Every
# template joins as it is translated (issue 19); the rest still show English in Spanish pages.
TRANSLATED_GLOBS = [
    "base.html",
    "mail/*.txt",
    "catalog/*.html",
    "submissions/*.html",
    "issuance/*.html",
    "verify/*.html",
    "main/*.html",
    "errors/*.html",
    "_forms.html",
    "_pagination.html",
    "account/*.html",
    "auth/*.html",
    "ops/*.html",
    "portfolio/*.html",
    "programs/*.html",
    "orgs/*.html",
    "learning/frameworks.html",
    "learning/framework.html",
    "learning/design*.html",
    "learning/self_assessment.html",
    "learning/pre_assessment.html",
    "learning/attempt.html",
    "learning/results.html",
    "communities/*.html",
    "learning/index.html",
    "learning/research*.html",
    "learning/_research_list.html",
    "learning/plan*.html",
    "learning/_chart.html",
    "credentials/*.html",
    "credit/*.html",
    "reviews/*.html",
]
TRANSLATED = sorted(
    {
        str(path.relative_to(ROOT / "templates"))
        for pattern in TRANSLATED_GLOBS
        for path in (ROOT / "templates").glob(pattern)
    }
)

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdf]")


def _catalogue() -> Any:
    with CATALOGUE.open("rb") as handle:
        return read_po(handle, locale="es")


# --- which language a request speaks ---------------------------------------------------------


def test_the_catalogue_is_compiled() -> None:
    assert COMPILED.exists(), "run `make translations` (make run and make test compile it)"
    assert COMPILED.stat().st_mtime >= CATALOGUE.stat().st_mtime, "the .mo is older than the .po"


def test_the_browser_language_decides_for_a_visitor(client: Any) -> None:
    spanish = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    html = spanish.get_data(as_text=True)
    assert '<html lang="es">' in html
    assert ">Catálogo</a>" in html
    assert ">Verificar</a>" in html
    english = client.get("/", headers={"Accept-Language": "fr-FR,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in english
    assert ">Catalog</a>" in english
    # A language we do not have falls back to English.
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "de"}).get_data(
        as_text=True
    )


def test_a_visitor_switches_and_the_choice_sticks(client: Any) -> None:
    response = client.submit("/language", {"lang": "es", "next": "/catalog?q=math"}, page="/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/catalog?q=math"
    assert "lang=es" in response.headers["Set-Cookie"]
    assert "HttpOnly" in response.headers["Set-Cookie"]
    # The cookie now wins over the browser's English.
    html = client.get("/catalog", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in html
    # The footer offers both, the current one marked, each named in its own language.
    assert 'lang="es" class="link-button"' in html
    assert re.search(r'value="es"[^>]*aria-current="true"', html)


def test_the_switch_never_sends_people_off_site(client: Any) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.submit("/language", {"lang": "es", "next": target}, page="/")
        assert response.status_code == 302
        assert response.headers["Location"] == "/", target


def test_an_unknown_language_is_refused_and_nothing_changes(client: Any) -> None:
    response = client.submit("/language", {"lang": "fr"}, page="/")
    assert response.status_code == 422
    assert "English or Spanish" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]
    # Without the form's CSRF token nothing happens either.
    assert client.post("/language", data={"lang": "es"}).status_code == 400


def test_a_signed_in_teacher_keeps_her_language_on_every_device(app: Any, client: Any) -> None:
    user = make_user("ana@lang.test")
    db.session.commit()
    sign_in(client, user)
    assert client.submit("/language", {"lang": "es", "next": "/"}, page="/").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(User.locale).where(User.email == "ana@lang.test")) == "es"
    # Another browser (no cookie, English preferred) still gets Spanish once she signs in.
    other = app.test_client()
    sign_in(other, user)
    html = other.get("/", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert '<html lang="es">' in html
    assert ">Cerrar sesión</button>" in html


# --- the catalogue ----------------------------------------------------------------------------


def test_every_marked_string_has_its_spanish() -> None:
    catalogue = _catalogue()
    forms = catalogue.num_plurals  # Spanish: three (one, many, other)
    untranslated = [
        m.id
        for m in catalogue
        if m.id
        and (
            m.fuzzy
            or not m.string
            or (isinstance(m.string, tuple) and (len(m.string) != forms or not all(m.string)))
        )
    ]
    assert not untranslated, f"no Spanish yet (make translations, then translate): {untranslated}"
    lost = [
        m.id
        for m in catalogue
        if m.id and set(PLACEHOLDER.findall(str(m.id))) != set(PLACEHOLDER.findall(str(m.string)))
    ]
    assert not lost, f"these translations lost or added a placeholder: {lost}"


def _extracted() -> set[str]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={**DEFAULT_KEYWORDS, "_l": None}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_the_catalogue_holds_exactly_the_marked_strings() -> None:
    extracted = _extracted()
    in_catalogue = {m.id[0] if isinstance(m.id, tuple) else m.id for m in _catalogue() if m.id}
    missing = sorted(extracted - in_catalogue)
    assert not missing, f"marked but not in the catalogue (run `make translations`): {missing}"
    stale = sorted(in_catalogue - extracted)
    assert not stale, f"in the catalogue but no longer marked (run `make translations`): {stale}"


# --- no unmarked words in translated templates ------------------------------------------------

WORD = re.compile(r"[A-Za-z]{2,}")
SPOKEN_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description"}


class _Words(HTMLParser):
    """The words a person reads or hears in a piece of HTML: text outside script and style,
    and the attributes a screen reader speaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in SPOKEN_ATTRIBUTES and value:
                self.words += WORD.findall(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.words += WORD.findall(data)


def unmarked_words(source: str) -> list[str]:
    """Words of ``source`` (a Jinja template) that reach the page without ``_()`` or
    ``{% trans %}``: its literal HTML with every Jinja expression, statement and comment
    replaced by a neutral placeholder."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)  # only lexed
    pieces: list[str] = []
    depth = 0  # inside {% trans %} ... {% endtrans %}
    block: list[str] = []
    for _line, kind, value in env.lex(source):
        if kind == "block_begin":
            block = []
            continue
        if kind == "block_end":
            words = [w for w in block if w.strip()]
            if words[:1] == ["trans"]:
                depth += 1
            elif words[:1] == ["endtrans"]:
                depth -= 1
            pieces.append(" X ")
            block = []
            continue
        if kind in ("name", "operator", "string", "integer", "whitespace") and block is not None:
            block.append(value)
        if kind == "data" and not depth:
            pieces.append(value)
        elif kind in ("variable_begin", "comment_begin"):
            pieces.append(" X ")
    parser = _Words()
    parser.feed("".join(pieces))
    return parser.words


def test_the_check_finds_unmarked_words() -> None:
    assert unmarked_words("<p>Hello {{ name }}</p>") == ["Hello"]
    assert unmarked_words('<img alt="A badge" src="{{ url }}">') == ["badge"]
    assert unmarked_words("<p>{{ _('Hello') }} {% trans %}Hi {{ n }}{% endtrans %}</p>") == []
    assert unmarked_words("<script>let x = 'words here';</script>{# a note #}") == []


@pytest.mark.parametrize("name", TRANSLATED)
def test_translated_templates_mark_every_word(name: str) -> None:
    source = (ROOT / "templates" / name).read_text()
    assert not unmarked_words(source), f"{name}: words not marked for translation"
