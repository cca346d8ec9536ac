"""The per-account login limit, kept in the database.

Flask-Limiter counts per client address (and, without a shared storage, per
process); this counts failed logins per email address in a table every
process and host sees. Unknown addresses are counted the same way, so a lock
never tells whether an account exists.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, literal
from sqlalchemy.dialects import postgresql, sqlite

from meetup.extensions import db
from meetup.models import UTCDateTime, normalise_email
from meetup.models.user import LoginThrottle


def throttle_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


@dataclass(frozen=True)
class Limit:
    failures: int
    window: timedelta

    @classmethod
    def from_config(cls) -> "Limit":
        window = current_app.config["ACCOUNT_LOGIN_WINDOW"]
        if not isinstance(window, timedelta):
            window = timedelta(seconds=int(window))  # e.g. from MEETUP_ACCOUNT_LOGIN_WINDOW
        return cls(int(current_app.config["ACCOUNT_LOGIN_LIMIT"]), window)

    @property
    def minutes(self) -> int:
        return max(1, round(self.window.total_seconds() / 60))


def is_locked(row: LoginThrottle | None, limit: Limit, now: datetime) -> bool:
    return (row is not None and row.failures >= limit.failures
            and row.window_start > now - limit.window)


def record_failure(key: str, limit: Limit, now: datetime) -> int:
    """Count one failed login in a single atomic statement; returns the count.

    The window restarts when the limit is reached, so the lock lasts a whole
    window from the failure that set it. Concurrent failures each count once:
    exactly one of them sees the count equal the limit.
    """
    table = LoginThrottle.__table__
    cutoff = now - limit.window
    db.session.execute(delete(table).where(table.c.window_start <= cutoff))
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    started = literal(now, UTCDateTime())
    expired = table.c.window_start <= cutoff
    statement = dialect.insert(table).values(key=key, failures=1, window_start=now)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "failures": case((expired, 1), else_=table.c.failures + 1),
            "window_start": case((expired, started),
                                 (table.c.failures + 1 >= limit.failures, started),
                                 else_=table.c.window_start),
        },
    ).returning(table.c.failures)
    return db.session.execute(statement).scalar_one()


def clear(key: str) -> None:
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
