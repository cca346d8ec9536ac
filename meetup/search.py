"""Text search that gives the same results on SQLite and PostgreSQL."""

from sqlalchemy import ColumnElement, func

# Longer than any name, title or city; SQLite refuses LIKE patterns over 50,000
# bytes, and a search that long is no search a person makes.
MAX_TERM = 200


def contains(column, text: str) -> ColumnElement[bool]:
    """Case-insensitive substring match; SQLite's lower() is Unicode-aware here
    (see ``extensions._sqlite_pragmas``), so umlauts fold the same on both.
    The term is cut to ``MAX_TERM`` characters."""
    return func.lower(column).contains(text[:MAX_TERM].lower(), autoescape=True)
