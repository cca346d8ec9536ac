"""Account rules. These functions flush but never commit; the caller commits
(authenticate is the one exception, see there)."""

import hashlib
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from meetup.auth import lockout
from meetup.extensions import db
from meetup.models import User, normalise_email, utcnow
from meetup.models.user import LoginThrottle, new_session_token
from meetup.security import InvalidToken, make_token, read_token


class EmailTaken(Exception):
    """Another account already uses this email address."""


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    email: str, name: str, password: str, *, locale: str | None = None, is_admin: bool = False
) -> User:
    """Create an unverified account. Raises EmailTaken, also when a concurrent
    sign-up wins the race (the unique constraint decides). The password is hashed
    first, so a taken address costs the same time as a free one."""
    email = normalise_email(email)
    user = User(email=email, name=name.strip(), locale=locale, is_admin=is_admin)
    user.set_password(password)
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as exc:
        raise EmailTaken(email) from exc
    return user


class AccountLocked(Exception):
    """Too many failed logins for this address just now; no password is checked."""


@dataclass(frozen=True)
class LoginResult:
    user: User | None = None  # the password was right
    notify: User | None = None  # this failure locked the account: tell its owner


def authenticate(email: str, password: str) -> LoginResult:
    """Check the credentials against the per-account limit. Raises AccountLocked.

    Unlike other services this one commits: a failure must be counted although
    the request fails, and the password is hashed with no transaction open (on
    SQLite a writing request holds the write lock for its whole transaction).
    """
    limit, key = lockout.Limit.from_config(), lockout.throttle_key(email)
    user = find_user_by_email(email)
    throttle = db.session.get(LoginThrottle, key)
    if lockout.is_locked(throttle, limit, utcnow()):
        db.session.rollback()
        raise AccountLocked()
    user_id, password_hash = (user.id, user.password_hash) if user else (None, None)
    db.session.rollback()  # the reads are done: hash outside any transaction
    if not _password_matches(password_hash, password):
        failures = lockout.record_failure(key, limit, utcnow())
        db.session.commit()
        owner = db.session.get(User, user_id) if user_id and failures == limit.failures else None
        return LoginResult(notify=owner)
    if throttle is not None:
        lockout.clear(key)
        db.session.commit()
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


def reset_password(token: str, password: str) -> User:
    user = user_for_reset(token)
    user.set_password(password)
    # The owner's way out of a lock set by someone else's guesses.
    lockout.clear(lockout.throttle_key(user.email))
    # Following the emailed link proves the address, too.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    return user


def email_change_token(user: User, new_email: str) -> str:
    return make_token("email", {"uid": user.id, "old": user.email, "new": new_email})


def request_email_change(user: User, password: str, new_email: str) -> str:
    """Check the password and that the address is free; returns the token to
    mail to the new address. Raises WrongPassword or EmailTaken."""
    if not user.check_password(password):
        raise WrongPassword()
    new_email = normalise_email(new_email)
    if find_user_by_email(new_email) is not None:
        raise EmailTaken(new_email)
    return email_change_token(user, new_email)


def confirm_email_change(token: str) -> User:
    """Switch to the new, now verified address. Raises InvalidToken or EmailTaken."""
    data = read_token("email", token, current_app.config["VERIFY_EMAIL_MAX_AGE"])
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("old"):
        raise InvalidToken()
    if find_user_by_email(data["new"]) is not None:
        raise EmailTaken(data["new"])
    user.email = data["new"]
    user.email_verified_at = utcnow()
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        raise EmailTaken(data["new"]) from exc
    return user


class WrongPassword(Exception):
    """The current password given does not match."""


def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current):
        raise WrongPassword()
    user.set_password(new)
