"""Domain refusals, and friendly, translated error pages."""

from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from meetup.extensions import db


class RuleError(Exception):
    """A rule refused a change; ``str(error)`` is the message for the person.

    ``status`` is the HTTP answer: 409 when the state of things refuses it
    (closed, full, taken), 422 when the request asked for something impossible,
    403 or 404 for what the person may not do. Views show the message next to
    the form; one that reaches no view becomes an error page with that status.
    """

    status = 409

    def __init__(self, message, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status

    @property
    def message(self) -> str:
        return str(self.args[0])


PAGES = {403: "errors/403.html", 404: "errors/404.html", 413: "errors/413.html",
         429: "errors/429.html"}


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(RuleError, rule_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(500, server_error)


def csrf_error(error: CSRFError):
    return render_template("errors/csrf.html"), 400


def rule_error(error: RuleError):
    db.session.rollback()
    return render_template("errors/generic.html", error=error, message=error.message,
                           code=error.status), (
        error.status)


def http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    template = PAGES.get(error.code, "errors/generic.html")
    response = error.get_response()
    limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    response.set_data(render_template(template, error=error, limit_mb=limit_mb))
    response.content_type = "text/html; charset=utf-8"
    return response


def server_error(error):
    db.session.rollback()
    return render_template("errors/500.html"), 500
