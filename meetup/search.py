"""Text search that gives the same results on SQLite and PostgreSQL.

Both sides of a comparison are folded the same way: lower case, and the German
umlauts and ß spelled out, so "muenster" finds "Münster" and "münster" finds
"Muenster", "strasse" finds "Straße". The stored text is folded in SQL with
lower() and replace(), which both databases have (SQLite's lower() is made
Unicode-aware in ``database._sqlite_connect``); the upper-case umlauts are
replaced too, as PostgreSQL's lower() folds ASCII only under the C locale.
"""

import unicodedata

from sqlalchemy import ColumnElement, and_, false, func, or_, true

# Every search field takes at most 100 characters; a longer needle comes from a crafted
# URL, matches nothing real, and would break SQLite's LIKE pattern limit (50,000 bytes).
MAX_NEEDLE = 1000
FOLDS = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"),
         ("Ä", "ae"), ("Ö", "oe"), ("Ü", "ue"), ("ẞ", "ss"))


def storable(text: str) -> bool:
    """Whether ``text`` can be compared with stored text: PostgreSQL refuses a NUL byte
    in a text parameter, and no stored text holds one."""
    return "\x00" not in text


def equals(column, text: str) -> ColumnElement[bool]:
    """``column == text``, and plainly false for text no row can hold."""
    return column == text if storable(text) else false()


def fold(text: str) -> str:
    """'Münster' -> 'muenster', 'STRASSE' and 'Straße' -> 'strasse'."""
    text = unicodedata.normalize("NFC", text).lower()
    for letter, spelled in FOLDS:
        text = text.replace(letter, spelled)
    return text


def folded(column) -> ColumnElement[str]:
    """The SQL twin of ``fold`` for a column."""
    expression = func.lower(column)
    for letter, spelled in FOLDS:
        expression = func.replace(expression, letter, spelled)
    return expression


def contains(column, text: str) -> ColumnElement[bool]:
    """Case- and umlaut-insensitive substring match."""
    if not storable(text) or len(text) > MAX_NEEDLE:
        return false()
    return folded(column).contains(fold(text), autoescape=True)


def words(text: str) -> list[str]:
    return text.split()


def matches_words(text: str, *columns) -> ColumnElement[bool]:
    """Every word of ``text`` in at least one of ``columns``: each word narrows
    ("stammtisch leipzig" finds the Stammtisch of a club in Leipzig)."""
    if not storable(text) or len(text) > MAX_NEEDLE:
        return false()
    if not words(text):
        return true()
    return and_(*[or_(*[contains(column, word) for column in columns])
                  for word in words(text)])
