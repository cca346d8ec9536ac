"""Real Chromium (Debian's) against a live server on 127.0.0.1."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.browser.helpers import log_in

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Screenshots of the key pages, kept with the run's output for people to look at.
SHOTS = Path(os.environ.get("SCREENSHOT_DIR")
             or Path(__file__).resolve().parents[2] / "test-results" / "screenshots")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM):
        pytest.skip("Chromium not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Our people: German browsers in Berlin.
    return {**browser_context_args, "locale": "de-DE", "timezone_id": "Europe/Berlin"}


@pytest.fixture
def database_uri(sqlite_uri):
    """Journeys run on SQLite only: every other database test covers PostgreSQL too."""
    return sqlite_uri


def whole_answers(app):
    """Each answer read whole and closed before it is sent. When a browser drops a
    connection (a favicon request cut by the next page), werkzeug's development
    server fails while it reads the rest of the request and never closes the
    answer: a static file would stay open."""
    def serve(environ, start_response):
        answer = app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            if hasattr(answer, "close"):
                answer.close()
    return serve


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, whole_answers(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["SITE_URL"] = f"http://127.0.0.1:{server.server_port}"  # links in mails
    yield app.config["SITE_URL"]
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def screenshot():
    """take(page, name): the whole page as ``<SHOTS>/<name>.png``."""
    def take(page, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000  # a rendered page, not an empty canvas
        return path
    return take


@pytest.fixture
def page(page):
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def signed_in_pages(browser, live_server):
    """Factory: one logged-in German browser page per email, each in its own context."""
    contexts = []

    def open_pages(*emails):
        pages = []
        for email in emails:
            context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
            context.set_default_timeout(10_000)
            contexts.append(context)
            page = context.new_page()
            log_in(page, live_server, email)
            pages.append(page)
        return pages

    yield open_pages
    for context in contexts:
        context.close()
