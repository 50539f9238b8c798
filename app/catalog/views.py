"""The public catalog: search and filter published credentials, read one in full, get its image.

Views are thin: parse the query string, ask :mod:`app.catalog.queries`, turn models into page
values with :mod:`app.catalog.pages`, render.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.catalog import bp, pages, queries
from app.images import image_of
from app.pagination import MAX_PAGE as MAX_PAGE_ARG
from app.pagination import Page, PageArgs, lenient_page_args
from app.programs import pages as program_pages
from app.programs import service as programs
from app.responses import image_response
from app.security import public

PER_PAGE = 12
MAX_PAGE = 100_000
MAX_QUERY_LENGTH = 200
# What the catalog lists: both (""), our credentials only, or outside programs only.
KINDS = {"ours": _l("Our credentials"), "outside": _l("Outside programs")}
PROGRAMS_PER_PAGE = 6


@dataclass(frozen=True)
class CatalogQuery:
    q: str = ""
    issuer: str = ""
    tag: str = ""
    grade: str = ""
    kind: str = ""

    @property
    def active(self) -> bool:
        return bool(self.q or self.issuer or self.tag or self.grade or self.kind)

    @property
    def shows_programs(self) -> bool:
        """Outside programs have no issuer, tags or grade bands: those filters leave them out."""
        return self.kind != "ours" and not (self.issuer or self.tag or self.grade)

    def args(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


def _arg(name: str) -> str:
    """A query-string value with control characters (NUL breaks PostgreSQL) and runs of
    spaces removed, cut to a sane length."""
    raw = request.args.get(name, "")
    printable = "".join(ch for ch in raw if ch.isprintable() or ch.isspace())
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


@bp.get("/catalog")
@public
def index() -> str:
    kind = _arg("kind")
    query = CatalogQuery(
        q=_arg("q"),
        issuer=_arg("issuer"),
        tag=_arg("tag"),
        grade=_arg("grade"),
        kind=kind if kind in KINDS else "",
    )
    filters = {"q": query.q, "issuer": query.issuer, "tag": query.tag, "grade": query.grade}
    page: Page[pages.Card] = Page([], 1, PER_PAGE, 0)
    if query.kind != "outside":
        found = queries.search(lenient_page_args(PER_PAGE, max_page=MAX_PAGE), **filters)
        if not found.items and found.page > found.pages:  # past the end: show the last page
            found = queries.search(PageArgs(found.pages, PER_PAGE), **filters)
        page = Page([pages.card(v) for v in found.items], found.page, found.per_page, found.total)

    def page_url(n: int) -> str:
        values: dict[str, Any] = {**query.args(), "page": n}  # query values, not url_for options
        return url_for("catalog.index", **values)

    facets = queries.facets()
    return render_template(
        "catalog/index.html",
        query=query,
        page=page,
        programs=_programs(query) if query.shows_programs else None,
        kinds=KINDS,
        standing=queries.standings(current_user, [c.credential_id for c in page.items]),
        page_url=page_url,
        issuers=facets.issuers,
        tags=facets.tags,
        grade_bands=facets.grade_bands,
    )


def _programs(query: CatalogQuery) -> Page[program_pages.ProgramCard]:
    """A page of outside programs matching the search (``?op_page``, forgiving odd values as
    ``?page`` is): three statements."""
    raw = request.args.get("op_page", "1")
    number = int(raw) if raw.isdigit() and 0 < int(raw) <= MAX_PAGE_ARG else 1
    args = PageArgs(number, PROGRAMS_PER_PAGE, "op_")
    found = programs.catalog_page(args, q=query.q, viewer=current_user)
    if not found.items and found.page > found.pages:
        found = programs.catalog_page(
            PageArgs(found.pages, PROGRAMS_PER_PAGE, "op_"), q=query.q, viewer=current_user
        )
    return Page(
        [program_pages.card(p) for p in found.items],
        found.page,
        found.per_page,
        found.total,
        found.prefix,
    )


@bp.get("/catalog/<issuer_slug>/<credential_slug>")
@public
def credential(issuer_slug: str, credential_slug: str) -> str:
    version = queries.published_version(issuer_slug, credential_slug)
    mine = queries.standings(current_user, [version.credential_id])
    return render_template(
        "catalog/detail.html",
        c=pages.detail(version),
        credential_id=version.credential_id,
        standing=mine.get(version.credential_id),
    )


@bp.get("/catalog/<issuer_slug>/<credential_slug>/image")
@public
def image(issuer_slug: str, credential_slug: str) -> Any:
    version = queries.published_version(issuer_slug, credential_slug)
    return image_response(*image_of(version))


@bp.app_template_global()
def featured_credentials(limit: int = 3) -> list[pages.Card]:
    """Published credentials for the home page, newest first: one statement."""
    return [pages.card(v) for v in queries.newest(limit)]
