"""The attendee preview of an event: who is coming, as far as each allows, and
whom the viewer should meet. The event page shows a first page of it, the
attendee page all of it page by page; either costs the same few statements for
any number of attendees (the roster behind it is kept, see ``roster``)."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from meetup.extensions import db
from meetup.models import RSVP, Event, Membership, User
from meetup.pagination import Neighbours
from meetup.people.matching import Suggestion, key
from meetup.people.roster import Entry, person, roster  # noqa: F401 - person for callers

FIRST_PAGE = 24  # attendees named on the event page
PER_PAGE = 48  # on the attendee page


@dataclass(frozen=True)
class Page(Neighbours):
    """What the pagination macro needs."""

    page: int
    pages: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass
class Preview:
    going: list[RSVP] = field(default_factory=list)
    waiting: list[RSVP] = field(default_factory=list)
    listed_going: int = 0  # named, after the filters
    listed_waiting: int = 0
    unlisted_going: int = 0  # counted, not named
    unlisted_waiting: int = 0
    former_going: int = 0  # deleted accounts, named „ehemaliges Mitglied“
    titles: dict[int, str] = field(default_factory=dict)
    suggestions: list[Suggestion] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    page: Page = Page(1, 1, 0)

    @property
    def more(self) -> bool:
        """Whether others are named beyond what is shown."""
        return len(self.going) + len(self.waiting) < self.listed_going + self.listed_waiting


def _ordered(entries: list[Entry], industry: str, topic: str, sort: str) -> list[Entry]:
    """Those going (by name or company) then those waiting (in line), filtered."""
    shown = [e for e in entries if (not industry or e.industry == industry)
             and (not topic or key(topic) in e.topic_keys)]
    order = (lambda e: (e.company_key, e.name_key)) if sort == "company" \
        else (lambda e: e.name_key)
    return sorted((e for e in shown if not e.waiting), key=order) + [
        e for e in shown if e.waiting]


def build(event: Event, viewer: User, industry: str = "", topic: str = "",
          sort: str = "name", page: int = 1, per_page: int | None = FIRST_PAGE,
          current: str | None = None) -> Preview:
    """One page of the preview (``per_page=None``: everyone, for the exports);
    ``current`` is the attendee-list version when already read."""
    kept = roster(event, viewer, current)
    ordered = _ordered(kept.entries, industry, topic, sort)
    per_page = per_page or max(1, len(ordered))
    pages = max(1, -(-len(ordered) // per_page))
    page = min(max(page, 1), pages)
    shown = ordered[(page - 1) * per_page:page * per_page]
    preview = Preview(
        listed_going=sum(1 for e in ordered if not e.waiting),
        listed_waiting=sum(1 for e in ordered if e.waiting),
        unlisted_going=kept.unlisted_going, unlisted_waiting=kept.unlisted_waiting,
        former_going=kept.former_going,
        suggestions=kept.suggestions, industries=kept.industries, topics=kept.topics,
        page=Page(page, pages, len(ordered)))
    ids = [e.user_id for e in shown]
    if ids:
        answers = {row.user_id: row for row in db.session.scalars(
            select(RSVP).options(joinedload(RSVP.user))
            .where(RSVP.event_id == event.id, RSVP.user_id.in_(ids)))}
        for entry in shown:
            if entry.user_id in answers:  # else withdrawn since the roster was read
                (preview.waiting if entry.waiting else preview.going).append(
                    answers[entry.user_id])
        preview.titles = dict(db.session.execute(
            select(Membership.user_id, Membership.title).where(
                Membership.group_id == event.group_id, Membership.user_id.in_(ids),
                Membership.title != "")).all())
    return preview
