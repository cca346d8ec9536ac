"""Text search that gives the same results on SQLite and PostgreSQL."""

from sqlalchemy import ColumnElement, func


def contains(column, text: str) -> ColumnElement[bool]:
    """Case-insensitive substring match; SQLite's lower() is Unicode-aware here
    (see ``extensions._sqlite_pragmas``), so umlauts fold the same on both."""
    return func.lower(column).contains(text.lower(), autoescape=True)
