"""Accounts and their profiles."""

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Enum, SmallInteger, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from meetup.config import DEFAULT_TIMEZONE
from meetup.models.base import Base, UTCDateTime, utcnow

# A deleted account keeps its row (its answers keep the clubs' counts right) under an
# address that can never receive mail, and no name.
DELETED_DOMAIN = "deleted.invalid"


class ProfileVisibility(enum.StrEnum):
    MEMBERS = "members"  # members of my groups (default)
    ATTENDEES = "attendees"  # people going to the same events only
    SIGNED_IN = "signed_in"  # everyone signed in


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    company: Mapped[str] = mapped_column(String(120), default="")
    industry: Mapped[str] = mapped_column(String(80), default="")
    # The pointed profile: "Und was machen Sie so?"
    headline: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[str] = mapped_column(String(120), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    offers: Mapped[list[str]] = mapped_column(JSON, default=list)
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    website: Mapped[str] = mapped_column(String(255), default="")
    linkedin: Mapped[str] = mapped_column(String(255), default="")
    xing: Mapped[str] = mapped_column(String(255), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[str | None] = mapped_column(String(80))  # file name of the cleaned PNG
    profile_visibility: Mapped[ProfileVisibility] = mapped_column(
        Enum(ProfileVisibility, native_enum=False, length=20,
             values_callable=lambda e: [m.value for m in e]),
        default=ProfileVisibility.MEMBERS)
    password_hash: Mapped[str] = mapped_column(String(255))
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_admin: Mapped[bool] = mapped_column(default=False)
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    # None: follow the browser's Accept-Language.
    locale: Mapped[str | None] = mapped_column(String(8))
    # Rotated when the password changes: it signs every session and
    # remember-me cookie out at once.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    # The personal calendar feed: only a hash of its secret token is stored.
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    calendar_all_groups: Mapped[bool] = mapped_column(default=False)
    # Consent to being named in attendee lists (each decision is a dated ConsentRecord);
    # while withdrawn, every answer is counted but not named.
    listed_as_attendee: Mapped[bool] = mapped_column(default=True, server_default=true())
    # "Others may reach people through me": off means no introduction path runs
    # through or to this person, and they search for none themselves.
    allow_introductions: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Shared with contacts only: a phone number and a birthday without the year.
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    birthday_day: Mapped[int | None] = mapped_column(SmallInteger)
    birthday_month: Mapped[int | None] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

    def get_id(self) -> str:
        return self.session_token

    @classmethod
    def former(cls):
        """SQL: the account was deleted (a former member, shown without a name)."""
        return (cls.name == "") & cls.email.endswith(f"@{DELETED_DOMAIN}")

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def set_password(self, password: str) -> None:
        """Hash and set (scripts and demo data; requests hash before their transaction)."""
        self.use_password_hash(hash_password(password))

    def use_password_hash(self, password_hash: str) -> None:
        """A new password ends every other session (their token no longer matches)."""
        self.password_hash = password_hash
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


def hash_password(password: str) -> str:
    """scrypt: seconds of CPU for an attacker, ~50 ms for us; call it outside a transaction."""
    return generate_password_hash(password, method="scrypt")


def normalise_email(email: str) -> str:
    return email.strip().lower()


class LoginThrottle(Base):
    """Failed logins for one email address within a window, shared by every
    process and host. Unknown addresses are counted too, so a lock does not
    tell whether an account exists; the key is a hash, not the address typed."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    # When the window began; restarted when the limit is reached (the lock runs from then).
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
