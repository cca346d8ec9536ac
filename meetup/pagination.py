"""One paginator for every list, with the page number taken from the URL safely."""

from dataclasses import dataclass

from flask import request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from meetup.extensions import db

MAX_PAGE = 10_000  # far beyond any real list; keeps OFFSET inside every database's range


def page_number() -> int:
    """``?page=`` as a number from 1 to ``MAX_PAGE``; anything else means page 1."""
    page = request.args.get("page", 1, type=int)
    return page if 1 <= page <= MAX_PAGE else 1


def paginate(query: Select, per_page: int) -> Pagination:
    return db.paginate(query, page=page_number(), per_page=per_page, max_per_page=per_page,
                       error_out=False, count=True)


class Neighbours:
    """What the pagination macro asks of a page beside its number and ``has_next``."""

    page: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass
class Window(Neighbours):
    """One page of a list without counting the whole list: one row more than a
    page is read to know whether there is a next one. ``pages`` is unknown."""

    items: list
    page: int
    has_next: bool
    pages: None = None


def window(query: Select, per_page: int) -> Window:
    page = page_number()
    rows = db.session.scalars(query.limit(per_page + 1).offset((page - 1) * per_page)).all()
    return Window(list(rows[:per_page]), page, len(rows) > per_page)
