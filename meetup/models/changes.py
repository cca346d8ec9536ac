"""A counter that moves on after every committed change a calendar feed may show."""

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from meetup.models.base import Base


class FeedGeneration(Base):
    """One row (id 1): raised after each commit that wrote a row feeds are made
    from (``calendar.unchanged``). While it stands still, a feed's ETag is what
    it was, so a conditional request can be answered from memory."""

    __tablename__ = "feed_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
