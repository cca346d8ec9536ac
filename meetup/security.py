"""Sessions, signed links and redirect safety."""

from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from meetup.errors import RuleError
from meetup.extensions import db, login_manager
from meetup.models import User


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


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
