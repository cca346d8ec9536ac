"""The audit trail: what organisers did in a club, who did it, when, before → after."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetup.models.base import Base, UTCDateTime, utcnow
from meetup.models.group import Group
from meetup.models.user import User


class AuditEntry(Base):
    """One organiser action. People are kept as ids only (``actor_id``, ``person_id``;
    set to NULL when an account is deleted), never as names or addresses, so the
    trail names nobody once they are gone; ``before`` and ``after`` hold states and
    ids, as JSON."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_group_created", "group_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                 index=True)
    action: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    # The person the action was about (a member, an applicant, an attendee), if any.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                  index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    group: Mapped[Group] = relationship()
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    person: Mapped[User | None] = relationship(foreign_keys=[person_id])

    def __repr__(self) -> str:
        return f"<AuditEntry {self.action} group={self.group_id} subject={self.subject_id}>"
