"""Sessions, signed links, redirect safety, and the security headers of every answer."""

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from secure import (
    ContentSecurityPolicy,
    PermissionsPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from meetup.errors import RuleError
from meetup.extensions import db, login_manager
from meetup.models import User


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.after_request(add_security_headers)
    app.session_interface = SessionInterface()


def stateless(view):
    """Mark a view that needs no session (calendar feeds): its requests neither read
    nor write the session cookie, so they load no user and set no cookie."""
    view.session_use = "none"
    return view


def session_read_only(view):
    """Mark a view that reads the session but never writes it back (a download
    that depends on who asks must not set a cookie)."""
    view.session_use = "read"
    return view


def _session_use(app: Flask, endpoint: str | None) -> str | None:
    return getattr(app.view_functions.get(endpoint), "session_use", None)


class _Unsaved(SecureCookieSession):
    """An empty session, never read from the cookie and never written to it."""


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, left out for views marked ``stateless``.

    The session opens before Flask matches the URL, so the URL is matched here
    for the few paths that can lead to such a view (checked by prefix first)."""

    def open_session(self, app, request):
        if self._stateless(app, request):
            return _Unsaved()
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if isinstance(session, _Unsaved) or _session_use(app, request.endpoint) == "read":
            return
        super().save_session(app, session, response)

    @staticmethod
    def _stateless(app: Flask, request) -> bool:
        prefixes = app.extensions.get("stateless_prefixes")
        if prefixes is None:
            prefixes = app.extensions["stateless_prefixes"] = tuple({
                rule.rule.split("<", 1)[0] for rule in app.url_map.iter_rules()
                if _session_use(app, rule.endpoint) == "none"})
        if not prefixes or not request.path.startswith(prefixes):
            return False
        try:
            endpoint, _values = app.create_url_adapter(request).match()
        except HTTPException:
            return False
        return _session_use(app, endpoint) == "none"


# No inline script or style anywhere: every page uses files from static/ only,
# so an injected <script> or on…= attribute does not run. QR codes are inline SVG.
_SELF = "'self'"
HEADERS = Secure(
    csp=ContentSecurityPolicy().default_src(_SELF).script_src(_SELF).style_src(_SELF)
    .img_src(_SELF, "data:").frame_ancestors("'none'").form_action(_SELF).base_uri(_SELF)
    .object_src("'none'"),
    xfo=XFrameOptions().deny(),
    xcto=XContentTypeOptions(),
    referrer=ReferrerPolicy().strict_origin_when_cross_origin(),
    permissions=PermissionsPolicy().camera().microphone().geolocation().browsing_topics(),
)
# Browsers ignore HSTS over plain http; it is sent where https is in use.
HSTS = Secure(hsts=StrictTransportSecurity().max_age(365 * 24 * 3600))
# Pages under these blueprints carry tokens or account details even for visitors.
PERSONAL_BLUEPRINTS = frozenset({"auth", "account", "invitations", "preferences", "privacy"})
NO_STORE = "private, no-store"


def add_security_headers(response: Response) -> Response:
    """Security headers on every answer, and no-store on personal ones. A view
    that set its own Cache-Control (feeds, images, static files) keeps it."""
    HEADERS.set_headers(response)
    if request.is_secure or current_app.config["SITE_URL"].startswith("https://"):
        HSTS.set_headers(response)
    if "Cache-Control" not in response.headers and is_personal():
        response.headers["Cache-Control"] = NO_STORE
    return response


def is_personal() -> bool:
    """A page for a signed-in person, or one with a token or form of an account.
    A stateless view (a feed) never asks who is signed in: that would load a user."""
    if _session_use(current_app, request.endpoint) == "none":
        return False
    return request.blueprint in PERSONAL_BLUEPRINTS or current_user.is_authenticated


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    return db.session.scalar(select(User).where(User.session_token == session_token))


def is_safe_next(target: str | None) -> bool:
    """Only same-site paths: no scheme, no host, one leading slash, no backslash."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(char) < 32 for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    return target if is_safe_next(target) else default


class InvalidToken(RuleError):
    """A signed link that is broken, expired or already used."""

    status = 400

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"meetup.{purpose}")


def make_token(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict:
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidToken(expired=True) from exc
    except BadSignature as exc:
        raise InvalidToken() from exc
