"""One paginator for every list, with the page number taken from the URL safely."""

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
