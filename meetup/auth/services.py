"""Account rules. These functions flush and never commit; the caller's
``transaction()`` commits (authenticate is the one exception, see there).
Passwords are hashed and checked by the views before a transaction begins."""

import hashlib
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from meetup.auth import lockout
from meetup.database import end_reading, transaction
from meetup.errors import RuleError
from meetup.extensions import db
from meetup.models import User, normalise_email, utcnow
from meetup.models.user import LoginThrottle, new_session_token
from meetup.security import InvalidToken, make_token, read_token


class EmailTaken(RuleError):
    """Another account already uses this email address."""

    def __init__(self, user_id: int | None = None):
        super().__init__(_l("Another account already uses this email address."))
        self.user_id = user_id  # the account that has it, when known


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    email: str, name: str, password_hash: str, *, locale: str | None = None,
    is_admin: bool = False
) -> User:
    """Create an unverified account with a password hashed beforehand (see
    ``hash_password``). Raises EmailTaken, also when a concurrent sign-up wins
    the race (the unique constraint decides)."""
    email = normalise_email(email)
    existing = find_user_by_email(email)
    if existing is not None:
        raise EmailTaken(existing.id)
    user = User(email=email, name=name.strip(), locale=locale, is_admin=is_admin)
    user.use_password_hash(password_hash)
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as exc:
        raise EmailTaken() from exc
    return user


class AccountLocked(RuleError):
    """Too many failed logins for this address just now; no password is checked."""


@dataclass(frozen=True)
class LoginResult:
    user: User | None = None  # the password was right
    notify: User | None = None  # this failure locked the account: tell its owner


def authenticate(email: str, password: str) -> LoginResult:
    """Check the credentials against the per-account limit. Raises AccountLocked.

    Unlike other services this one runs its own transactions: a failure must
    be counted although the request fails, and the password is checked with no
    transaction open (a writing one holds SQLite's write lock).
    """
    limit, key = lockout.Limit.from_config(), lockout.throttle_key(email)
    user = find_user_by_email(email)
    throttle = db.session.get(LoginThrottle, key)
    locked = lockout.is_locked(throttle, limit, utcnow())
    user_id, password_hash = (user.id, user.password_hash) if user else (None, None)
    end_reading()  # the reads are done: hash outside any transaction
    if locked:
        raise AccountLocked(_l("Too many failed attempts for this account."), 429)
    if not _password_matches(password_hash, password):
        with transaction():
            failures = lockout.record_failure(key, limit, utcnow())
        owner = db.session.get(User, user_id) if user_id and failures == limit.failures else None
        return LoginResult(notify=owner)
    if throttle is not None:
        with transaction():
            lockout.clear(key)
    return LoginResult(user=db.session.get(User, user_id))


def _password_matches(password_hash: str | None, password: str) -> bool:
    """The same work whether or not the account exists."""
    if password_hash is None:
        User(password_hash="").set_password(password)
        return False
    return check_password_hash(password_hash, password)


def end_sessions(user: User) -> None:
    """Sign every session and remember-me cookie of this account out: the
    cookies carry the session token, which no longer matches."""
    user.session_token = new_session_token()


def _password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def verification_token(user: User) -> str:
    return make_token("verify", {"uid": user.id, "email": user.email})


def verify_email(token: str) -> User:
    """Mark the address in the token as verified. Raises InvalidToken."""
    data = read_token("verify", token, current_app.config["VERIFY_EMAIL_MAX_AGE"])
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("email"):
        raise InvalidToken()
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


def reset_token(user: User) -> str:
    return make_token("reset", {"uid": user.id, "pw": _password_fingerprint(user)})


def user_for_reset(token: str) -> User:
    """The user a reset link is for. The link dies when the password changes,
    which makes it single-use. Raises InvalidToken."""
    data = read_token("reset", token, current_app.config["RESET_PASSWORD_MAX_AGE"])
    user = db.session.get(User, data.get("uid"))
    if user is None or data.get("pw") != _password_fingerprint(user):
        raise InvalidToken()
    return user


def reset_password(token: str, password_hash: str) -> User:
    user = user_for_reset(token)
    user.use_password_hash(password_hash)
    # The owner's way out of a lock set by someone else's guesses.
    lockout.clear(lockout.throttle_key(user.email))
    # Following the emailed link proves the address, too.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


def email_change_token(user: User, new_email: str) -> str:
    return make_token("email", {"uid": user.id, "old": user.email, "new": new_email})


def request_email_change(user: User, new_email: str) -> str:
    """Check that the address is free (the caller checked the password); returns
    the token to mail to the new address. Raises EmailTaken."""
    new_email = normalise_email(new_email)
    if find_user_by_email(new_email) is not None:
        raise EmailTaken()
    return email_change_token(user, new_email)


def confirm_email_change(token: str) -> User:
    """Switch to the new, now verified address. Raises InvalidToken or EmailTaken."""
    data = read_token("email", token, current_app.config["VERIFY_EMAIL_MAX_AGE"])
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("old"):
        raise InvalidToken()
    if find_user_by_email(data["new"]) is not None:
        raise EmailTaken()
    user.email = data["new"]
    user.email_verified_at = utcnow()
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise EmailTaken() from exc
    return user


def change_password(user: User, password_hash: str) -> None:
    """Set a new password, hashed beforehand; other sessions end with the old token."""
    user.use_password_hash(password_hash)
