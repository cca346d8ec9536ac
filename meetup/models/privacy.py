"""Data protection: accounts waiting to be purged, and recorded consents."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from meetup.models.base import Base, UTCDateTime, utcnow

# Kinds of consent a person gives or withdraws, each recorded with its date.
ATTENDEE_LIST = "attendee_list"  # being named in the attendee lists of events


class AccountDeletion(Base):
    """A deleted account. Until ``restore_until`` its owner can take it back: the
    name, address and password hash wait here while the ``user`` row is already
    anonymous. The purge empties them for good (``purged_at``); the anonymous row
    stays, so RSVPs and attendance keep their counts."""

    __tablename__ = "account_deletion"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    name: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(8))
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    restore_until: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsentRecord(Base):
    """One decision: consent given or withdrawn, with its date. Never updated:
    the newest row of a kind is the person's current choice."""

    __tablename__ = "consent_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         index=True)
    kind: Mapped[str] = mapped_column(String(40))
    granted: Mapped[bool]
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DataExport(Base):
    """An export prepared in the background, one per person: asked for at
    ``requested_at``, taken by a worker at ``started_at``, ready as ``file_name``
    in the upload storage at ``ready_at`` and kept until ``expires_at``. Asking
    again while it waits finds this row; asking after it is ready starts afresh."""

    __tablename__ = "data_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         unique=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    file_name: Mapped[str | None] = mapped_column(String(80))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
