"""Input no person types, refused before it reaches a view or the database.

* URL numbers beyond a database integer (``/events/99999999999999999999``) match no
  route, so they answer 404 instead of overflowing a query.
* A NUL character in the path, a query or a form value answers 400 with a clear page:
  PostgreSQL cannot store it in text, and no keyboard produces it.
"""

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL's integer


class DatabaseInteger(IntegerConverter):
    """``<int:…>`` limited to what an integer column holds."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class InvalidCharacters(BadRequest):
    show_description = True
    description = _l("The request contains a character that cannot be stored (a NUL "
                     "character). Please check what you pasted and try again.")


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values.getlist(key))
               for key in values)


def refuse_nul_characters() -> None:
    if ("\x00" in request.path or _has_nul(request.args)
            or (request.form and _has_nul(request.form))):
        raise InvalidCharacters()


def register_converters(app: Flask) -> None:
    """Call before any blueprint is registered."""
    app.url_map.converters["int"] = DatabaseInteger


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
