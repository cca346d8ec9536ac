"""Logs: one line per record, JSON in production (LOG_FORMAT = "json") or text,
each with the id of the request it belongs to; one access line per request.

Every request gets an id: the incoming ``X-Request-ID`` when it looks like one
(a proxy in front made it), else a new one. It is sent back as ``X-Request-ID``
and written on every line logged while the request runs, so one person's
request can be followed through the proxy's log, the app's and the outbox's."""

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.json import JsonFormatter

ACCESS = logging.getLogger("meetup.access")
ENVIRON_KEY = "meetup.request_id"
# Letters, digits and a few separators, at most 128: anything else is not
# written into the logs as it came (a forged id must not break a log line).
SANE_ID = re.compile(r"[A-Za-z0-9._:@+=/-]{1,128}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"


def init_app(app: Flask) -> None:
    install_handler(app.logger, app.config["LOG_FORMAT"])
    app.wsgi_app = RequestLog(app.wsgi_app)
    app.before_request(_remember_id)


def install_handler(logger: logging.Logger, log_format: str) -> None:
    """The app's one handler on the ``meetup`` logger (replacing Flask's default and
    one from an earlier ``create_app``); records of ``meetup.*`` loggers reach it."""
    for handler in list(logger.handlers):
        if isinstance(handler, StderrHandler) or handler is default_handler:
            logger.removeHandler(handler)
    handler = StderrHandler()
    handler.addFilter(add_request_id)
    handler.setFormatter(formatter(log_format))
    logger.addHandler(handler)


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(JSON_FIELDS, rename_fields={
            "asctime": "time", "levelname": "level", "name": "logger"})
    if log_format == "text":
        return logging.Formatter(TEXT_FORMAT)
    raise RuntimeError(f"LOG_FORMAT must be 'json' or 'text', not {log_format!r}")


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record is written."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def add_request_id(record: logging.LogRecord) -> bool:
    if not hasattr(record, "request_id"):
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
    return True


def _remember_id() -> None:
    g.request_id = request.environ.get(ENVIRON_KEY, "-")


def request_id(environ: dict) -> str:
    incoming = environ.get("HTTP_X_REQUEST_ID", "")
    return incoming if SANE_ID.fullmatch(incoming) else uuid.uuid4().hex


class RequestLog:
    """WSGI middleware: gives the request its id, answers with it, and writes the
    access line (method, path, status, duration until the headers were sent)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        environ[ENVIRON_KEY] = rid = request_id(environ)

        def respond(status, headers, exc_info=None):
            headers.append(("X-Request-ID", rid))
            duration = round((time.perf_counter() - started) * 1000, 1)
            ACCESS.info("%s %s %s %.1f ms", environ.get("REQUEST_METHOD"),
                        environ.get("PATH_INFO"), status[:3], duration, extra={
                            "request_id": rid, "method": environ.get("REQUEST_METHOD"),
                            "path": environ.get("PATH_INFO"), "status": int(status[:3]),
                            "duration_ms": duration})
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, respond)
