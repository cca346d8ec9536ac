"""Serving in production: the proxy in front, compression, fingerprinted static files.

- Behind ``TRUSTED_PROXIES`` reverse proxies (a count), the client's address and
  scheme come from their X-Forwarded-For/-Proto headers; without it those headers
  are ignored, as anyone can send them.
- Pages, JSON and calendar feeds are compressed (Flask-Compress: brotli or gzip;
  bodies under COMPRESS_MIN_SIZE are not). A compressed answer's ETag gets the
  encoding appended (``"abc:gzip"``). A client sends that ETag back, so it is
  taken off again before the app sees it: a feed's cheap 304 path compares its
  own ETag, and the 304 says the ETag the client holds.
- ``url_for('static', ...)`` adds ``?v=<hash of the file>``; such a URL never
  changes content, so it is cached for a year; without (or with an old) hash, it
  is revalidated each time (``no-cache`` against its ETag).
"""

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, request
from flask_compress import Compress
from werkzeug.middleware.proxy_fix import ProxyFix

compress = Compress()
ENCODED_ETAG = re.compile(r'"([^"]*):(?:br|gzip|deflate|zstd)"')
SUFFIXES_KEY = "meetup.etag_suffixes"
IMMUTABLE = "public, max-age=31536000, immutable"
# What is worth compressing: text. Images (PNG) are compressed already.
MIMETYPES = ["text/html", "text/css", "text/plain", "text/calendar", "text/vcard",
             "text/csv", "text/javascript", "application/json", "image/svg+xml"]


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", MIMETYPES)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # Streamed answers (static files) stay as they are: Flask-Compress's stream wrapper
    # does not close the file when the answer is closed early (a ResourceWarning, and an
    # open file per cut connection). Static files are small and cached for a year.
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.after_request(encoded_etag_on_304)  # runs after compression (reverse order)
    compress.init_app(app)
    app.url_defaults(fingerprint_static)
    app.after_request(cache_static)
    app.wsgi_app = PlainETags(app.wsgi_app)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


class PlainETags:
    """WSGI middleware: ``If-None-Match: "abc:gzip"`` becomes ``"abc"`` (remembering
    which encoding each came with)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        header = environ.get("HTTP_IF_NONE_MATCH")
        if header and ":" in header:
            suffixes = {}

            def plain(match: re.Match) -> str:
                suffixes[match.group(1)] = match.group(0)[len(match.group(1)) + 1:-1]
                return f'"{match.group(1)}"'

            environ["HTTP_IF_NONE_MATCH"] = ENCODED_ETAG.sub(plain, header)
            environ[SUFFIXES_KEY] = suffixes
        return self.wsgi_app(environ, start_response)


def encoded_etag_on_304(response: Response) -> Response:
    """A 304 names the ETag the client has: the encoded one when it sent that."""
    if response.status_code == 304:
        suffixes = request.environ.get(SUFFIXES_KEY)
        etag, weak = response.get_etag()
        if suffixes and etag in suffixes:
            response.set_etag(etag + suffixes[etag], weak=weak)
    return response


@lru_cache(maxsize=256)
def _file_hash(path: str, mtime_ns: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_hash(filename: str) -> str | None:
    """The current content hash of a static file (None when there is none)."""
    folder = current_app.static_folder
    path = Path(folder, filename) if folder else None
    try:
        if path is None or not path.resolve().is_relative_to(Path(folder).resolve()):
            return None
        return _file_hash(str(path), path.stat().st_mtime_ns)
    except OSError:
        return None


def fingerprint_static(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "v" not in values and values.get("filename"):
        digest = static_hash(values["filename"])
        if digest:
            values["v"] = digest


def cache_static(response: Response) -> Response:
    """A year for a static URL with the file's current hash; any other keeps Flask's
    ``no-cache`` (the browser revalidates it against its ETag)."""
    if (request.endpoint == "static" and response.status_code in (200, 304)
            and "v" in request.args):
        filename = (request.view_args or {}).get("filename", "")
        if request.args["v"] == static_hash(filename):
            response.headers["Cache-Control"] = IMMUTABLE
    return response
