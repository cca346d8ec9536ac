"""Absolute links for mails, feeds and calendar UIDs.

They are built from the configured ``SITE_URL``, never from the request's
``Host`` header: a forged header must not be able to put an attacker's host
into a password-reset mail. They also work outside a request (CLI, senders).
"""

from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` under the installation's ``SITE_URL``."""
    parts = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


def site_domain() -> str:
    """The host name of ``SITE_URL`` (for UIDs and Message-IDs)."""
    return urlsplit(current_app.config["SITE_URL"]).hostname or "localhost"


def init_app(app) -> None:
    """Templates show absolute links (feed and invitation addresses) the same way."""
    app.jinja_env.globals["external_url"] = external_url
