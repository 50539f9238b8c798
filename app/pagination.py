"""Every list, page or API, is a page: a stable order, a capped size, a constant number of
statements (one for the rows, one for the total; eager loads add a fixed few).

    page = paginate(select(Review).order_by(Review.due_at, Review.id), page_args())

Pages: ``?page=N`` (from 1) and ``?per_page=M`` (capped); templates render
``pagination.nav(page)`` from ``templates/_pagination.html``. A public page that forgives
hand-edited addresses reads :func:`lenient_page_args` and may link numbered pages
(:attr:`Page.numbers`). A form on a list posts back :func:`kept_paging`, so the redirect after
it returns to the same page. The API answers
``{"<things>": [...], "page": N, "per_page": M, "total": T, "next": url-or-null}`` via
:func:`api_page` (the list keeps its resource's name, as ``"credentials"``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import request, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from app.db import db
from app.errors import InvalidInput
from app.i18n import number

T = TypeVar("T")
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000  # beyond it an offset overflows the database's integer
PAGER_SPAN = 2  # numbered pager: the pages linked on each side of the current one


@dataclass(frozen=True)
class PageArgs:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    # Query-argument prefix for a second list on one page: ``?people_page=2``.
    prefix: str = ""

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int
    prefix: str = ""  # as PageArgs.prefix; the template's nav links use it

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def first_number(self) -> int:
        """The 1-based position of the first item (0 on an empty page)."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_number(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)

    @property
    def numbers(self) -> list[int | None]:
        """The page numbers a numbered pager links: the first, the last and a few around this
        one; ``None`` marks a gap (so 2,000 results do not render 167 links)."""
        shown = {1, self.pages, *range(self.page - PAGER_SPAN, self.page + PAGER_SPAN + 1)}
        numbers: list[int | None] = []
        for n in sorted(n for n in shown if 1 <= n <= self.pages):
            if numbers and n - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(n)
        return numbers


def page_args(
    args: Mapping[str, str] | None = None,
    *,
    default: int = DEFAULT_PER_PAGE,
    cap: int = MAX_PER_PAGE,
    prefix: str = "",
) -> PageArgs:
    """``page`` and ``per_page`` from the query string; InvalidInput (422) when they are not
    whole numbers, and ``per_page`` capped at ``cap``. With ``prefix``, a page holding two
    lists pages each on its own: ``prefix + "page"`` and ``prefix + "per_page"``."""
    args = request.args if args is None else args
    page_key, size_key = f"{prefix}page", f"{prefix}per_page"
    raw_page, raw_size = args.get(page_key, "1"), args.get(size_key, str(default))
    if (
        not raw_page.isdigit()
        or not raw_size.isdigit()
        or not 1 <= int(raw_page) <= MAX_PAGE
        or int(raw_size) < 1
    ):
        raise InvalidInput(
            _(
                "%(page)s is a number from 1 to %(most)s; %(size)s a number from 1 to %(cap)s.",
                page=page_key,
                most=number(MAX_PAGE),
                size=size_key,
                cap=cap,
            ),
            {page_key: [_("A whole number from 1.")], size_key: [_("1 to %(cap)s.", cap=cap)]},
        )
    return PageArgs(int(raw_page), min(int(raw_size), cap), prefix)


def lenient_page_args(per_page: int, *, max_page: int = MAX_PAGE) -> PageArgs:
    """``?page`` for a public page of a fixed size: anything odd (junk, 0, past ``max_page``)
    is page 1 rather than an error, as a hand-edited URL deserves."""
    raw = request.args.get("page", "1")
    return PageArgs(int(raw) if raw.isdigit() and 0 < int(raw) <= max_page else 1, per_page)


def kept_paging(*prefixes: str) -> dict[str, Any]:
    """This request's paging arguments (``page`` and ``per_page``, each also with every
    ``prefix``) that are whole numbers: a list's forms post them back so the redirect after a
    change returns to the page the form was on."""
    names = {f"{prefix}{name}" for prefix in ("", *prefixes) for name in ("page", "per_page")}
    return {k: v for k, v in request.args.items() if k in names and v.isdigit()}


def paginate(
    statement: Select[*tuple[Any, ...]], args: PageArgs, *, scalars: bool = True
) -> Page[Any]:
    """One page of ``statement`` (which must order by something unique, e.g. ending in the
    id, so pages never overlap) and the total count: two statements."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    query = statement.limit(args.per_page).offset(args.offset)
    result = db.session.execute(query)
    items = list(result.scalars().unique().all() if scalars else result.all())
    return Page(items, args.page, args.per_page, int(total or 0), args.prefix)


def api_page(
    page: Page[Any],
    key: str,
    dump: Callable[[list[Any]], list[Any]],
    endpoint: str,
    **values: Any,
) -> dict[str, Any]:
    """The API's page envelope: ``{key: dump(items), page, per_page, total, next}``; ``next``
    is the absolute URL of the following page (other query arguments kept)."""
    following = None
    if page.has_next:
        args = {**request.args.to_dict(), **values}
        args.update({f"{page.prefix}page": page.page + 1, f"{page.prefix}per_page": page.per_page})
        following = url_for(endpoint, _external=True, **args)
    return {
        key: dump(page.items),
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "next": following,
    }
