"""Introductions: one person asks a contact to introduce them to someone the
contact knows.

The request goes to ``via`` (the asker's own contact). For a path of three hops
(asker → via → second → target) it goes to ``via`` too, and names ``second``, the
person through whom ``via`` knows the target; forwarding then introduces the asker
to the target directly. The asker never learns that a request was declined: a
declined request looks open until it expires, 30 days after it was made.
"""

import enum
from datetime import datetime, timedelta

from sqlalchemy import Enum, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetup.models.base import Base, UTCDateTime, utcnow
from meetup.models.user import User

EXPIRES_AFTER = timedelta(days=30)


class IntroductionState(enum.StrEnum):
    OPEN = "open"  # waiting for ``via``
    DECLINED = "declined"  # ``via`` said no; the asker still sees "open"
    FORWARDED = "forwarded"  # ``via`` introduced the two; waiting for the target
    ACCEPTED = "accepted"  # the target said yes: both have each other's addresses
    REFUSED = "refused"  # the target said no; the asker still sees "forwarded"


class IntroductionRequest(Base):
    __tablename__ = "introduction_request"
    __table_args__ = (UniqueConstraint("asker_id", "via_id", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asker_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    via_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    second_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                           index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[IntroductionState] = mapped_column(
        Enum(IntroductionState, native_enum=False, length=16,
             values_callable=lambda e: [m.value for m in e]),
        default=IntroductionState.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    asker: Mapped[User] = relationship(foreign_keys=[asker_id])
    via: Mapped[User] = relationship(foreign_keys=[via_id])
    second: Mapped[User | None] = relationship(foreign_keys=[second_id])
    target: Mapped[User] = relationship(foreign_keys=[target_id])

    def expired(self, now: datetime) -> bool:
        """Unanswered by ``via`` for 30 days (declined ones too: that is all the asker sees)."""
        return (self.state in (IntroductionState.OPEN, IntroductionState.DECLINED)
                and now >= self.created_at + EXPIRES_AFTER)
