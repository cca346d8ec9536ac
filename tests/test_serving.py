"""Production serving: compression that keeps conditional requests working,
fingerprinted static files, Secure cookies on https, the proxy trusted only when
configured."""

import gzip
import re
from datetime import datetime

import brotli
import pytest

from meetup import serving
from meetup.models import utcnow
from tests.helpers import disposing, make_app

GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def feed(make_user, make_group, make_event) -> str:
    """A club feed with enough events to be worth compressing."""
    owner, _ = make_user("owner@example.com")
    slug = make_group(owner)
    for day in range(1, 6):
        make_event(slug, f"Stammtisch {day}", datetime(utcnow().year + 1, 6, day, 19))
    return f"/groups/{slug}/calendar.ics"


def test_pages_are_compressed_with_gzip_or_brotli(client):
    plain = client.get("/").data
    zipped = client.get("/", headers=GZIP)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain
    assert int(zipped.headers["Content-Length"]) == len(zipped.data) < len(plain)
    squeezed = client.get("/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert squeezed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(squeezed.data) == plain
    assert "Content-Encoding" not in client.get("/").headers


def test_tiny_bodies_are_sent_as_they_are(client):
    response = client.get("/healthz", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert response.get_json() == {"status": "ok"}


def test_a_gzip_client_gets_a_compressed_feed_and_then_a_cheap_304(client, feed,
                                                                   count_queries):
    plain = client.get(feed)
    etag = plain.headers["ETag"]
    with count_queries() as plain_304:
        assert client.get(feed, headers={"If-None-Match": etag}).status_code == 304
    zipped = client.get(feed, headers=GZIP)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] == etag[:-1] + ':gzip"'
    with count_queries() as gzip_304:
        again = client.get(feed, headers={**GZIP, "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == zipped.headers["ETag"]
    assert len(gzip_304) == len(plain_304)  # the same path: the feed is not built
    # A plain client holding the plain ETag is still answered 304, with that ETag.
    plain_again = client.get(feed, headers={"If-None-Match": etag})
    assert (plain_again.status_code, plain_again.headers["ETag"]) == (304, etag)


def test_a_changed_feed_is_sent_again_to_a_gzip_client(app, client, feed, make_event):
    zipped = client.get(feed, headers=GZIP)
    make_event(feed.split("/")[2], "Neu", datetime(utcnow().year + 1, 7, 1, 19))
    again = client.get(feed, headers={**GZIP, "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 200
    assert b"Neu" in gzip.decompress(again.data)
    assert again.headers["ETag"] != zipped.headers["ETag"]


def static_link(html: str, name: str) -> str:
    return re.search(rf'href="(/static/{re.escape(name)}\?v=[0-9a-f]{{12}})"', html).group(1)


def test_static_links_carry_a_fingerprint_and_are_cached_for_a_year(client):
    html = client.get("/").get_data(as_text=True)
    css = static_link(html, "css/app.css")
    static_link(html, "favicon.svg")
    with client.get(css) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == serving.IMMUTABLE
        etag = response.headers["ETag"]
    with client.get(css, headers={"If-None-Match": etag}) as response:
        assert response.status_code == 304
        assert response.headers["Cache-Control"] == serving.IMMUTABLE
    for stale in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        with client.get(stale) as response:
            assert response.headers["Cache-Control"] == "no-cache", stale


def test_the_fingerprint_follows_the_files_content(sqlite_uri, smtp, tmp_path):
    (tmp_path / "site.css").write_text("body { color: black }")
    app = make_app(sqlite_uri, smtp[0].port)
    app.static_folder = str(tmp_path)
    with app.test_request_context():
        first = serving.static_hash("site.css")
        (tmp_path / "site.css").write_text("body { color: navy }")
        second = serving.static_hash("site.css")
        assert first and second and first != second
        assert serving.static_hash("../etc/passwd") is None
        assert serving.static_hash("missing.css") is None


def session_cookie(app) -> str:
    with disposing(app):
        response = app.test_client().get("/auth/login")
    return response.headers["Set-Cookie"]


def test_cookies_are_secure_when_the_site_is_https(sqlite_uri, smtp):
    https = make_app(sqlite_uri, smtp[0].port, SITE_URL="https://treffpunkt.example.org")
    assert "Secure" in session_cookie(https)
    assert https.config["REMEMBER_COOKIE_SECURE"] is True
    http = make_app(sqlite_uri, smtp[0].port)
    assert "Secure" not in session_cookie(http)


FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def seen_by_app(app) -> tuple[str, str, bool]:
    """The client address and scheme the app sees, and whether it sent HSTS."""
    seen = {}

    @app.before_request
    def look():
        from flask import request

        seen["address"], seen["scheme"] = request.remote_addr, request.scheme

    with disposing(app):
        response = app.test_client().get("/healthz", headers=FORWARDED,
                                         environ_base={"REMOTE_ADDR": "127.0.0.1"})
    return seen["address"], seen["scheme"], "Strict-Transport-Security" in response.headers


def test_forwarded_headers_are_ignored_unless_proxies_are_trusted(sqlite_uri, smtp):
    assert seen_by_app(make_app(sqlite_uri, smtp[0].port)) == ("127.0.0.1", "http", False)
    trusted = make_app(sqlite_uri, smtp[0].port, TRUSTED_PROXIES=1)
    assert seen_by_app(trusted) == ("203.0.113.7", "https", True)
