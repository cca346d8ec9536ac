"""What each calendar feed last looked like, so Last-Modified only ever moves on."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from meetup.models.base import Base, UTCDateTime


class FeedState(Base):
    """A feed's current ETag and the time it was first served (its Last-Modified).

    Content can change without any row being updated (an RSVP withdrawn, an
    event made members-only, a membership ended), so Last-Modified cannot be
    read from modification times; it is the moment a new ETag was first seen.
    """

    __tablename__ = "calendar_feed_state"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)  # "group:7", "user:3"
    etag: Mapped[str] = mapped_column(String(64))
    modified_at: Mapped[datetime] = mapped_column(UTCDateTime)
