"""Clubs and their memberships."""

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from meetup.models.base import Base, UTCDateTime, utcnow
from meetup.models.user import DEFAULT_TIMEZONE, User


def _values(enum_type: type[enum.Enum]) -> list[str]:
    return [member.value for member in enum_type]


def str_enum(enum_type: type[enum.Enum]) -> Enum:
    """A portable string column for a Python enum (no native database enum)."""
    return Enum(enum_type, native_enum=False, length=20, values_callable=_values)


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class JoinPolicy(enum.StrEnum):
    OPEN = "open"
    APPROVAL = "approval"
    INVITE = "invite"


class Role(enum.StrEnum):
    OWNER = "owner"
    ORGANISER = "organiser"
    MEMBER = "member"


class Group(Base):
    __tablename__ = "group"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80), default="")
    short_description: Mapped[str] = mapped_column(String(280), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(255), default="")
    visibility: Mapped[Visibility] = mapped_column(str_enum(Visibility), default=Visibility.PUBLIC)
    join_policy: Mapped[JoinPolicy] = mapped_column(str_enum(JoinPolicy), default=JoinPolicy.OPEN)
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    # File name of the re-encoded logo in the upload folder, if any.
    logo: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: WriteOnlyMapped["Membership"] = relationship(
        back_populates="group", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<Group {self.slug}>"

    @property
    def is_private(self) -> bool:
        return self.visibility == Visibility.PRIVATE


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.MEMBER)
    # Honorary title such as "Vorstand" or "Kassierer"; free text.
    title: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    @property
    def is_organiser(self) -> bool:
        return self.role in (Role.OWNER, Role.ORGANISER)

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


class ApplicationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class Application(Base):
    """A request to join a group with the approval policy. One per person and
    group; applying again after a decline reopens it."""

    __tablename__ = "application"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus), default=ApplicationStatus.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_pending(self) -> bool:
        return self.status == ApplicationStatus.PENDING

    @property
    def is_approved(self) -> bool:
        return self.status == ApplicationStatus.APPROVED

    @property
    def is_declined(self) -> bool:
        return self.status == ApplicationStatus.DECLINED


class Invitation(Base):
    """An invitation link. With an email it was sent to one person and works
    once; without, it is a shareable link with an expiry and a use limit."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120), default="")
    max_uses: Mapped[int | None]
    uses: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return (self.revoked_at is None and self.expires_at > now
                and (self.max_uses is None or self.uses < self.max_uses))


class Ban(Base):
    """A person removed from a group who may not apply or join again."""

    __tablename__ = "ban"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    banned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
