"""Text search that gives the same results on SQLite and PostgreSQL."""

from sqlalchemy import ColumnElement, false, func

# Every search field takes at most 100 characters; a longer needle comes from a crafted
# URL, matches nothing real, and would break SQLite's LIKE pattern limit (50,000 bytes).
MAX_NEEDLE = 1000


def storable(text: str) -> bool:
    """Whether ``text`` can be compared with stored text: PostgreSQL refuses a NUL byte
    in a text parameter, and no stored text holds one."""
    return "\x00" not in text


def equals(column, text: str) -> ColumnElement[bool]:
    """``column == text``, and plainly false for text no row can hold."""
    return column == text if storable(text) else false()


def contains(column, text: str) -> ColumnElement[bool]:
    """Case-insensitive substring match; SQLite's lower() is Unicode-aware here
    (see ``extensions._sqlite_pragmas``), so umlauts fold the same on both."""
    if not storable(text) or len(text) > MAX_NEEDLE:
        return false()
    return func.lower(column).contains(text.lower(), autoescape=True)
