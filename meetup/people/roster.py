"""Who is coming to an event as one viewer may see it, and whom they should meet:
worked out once per (event, viewer, attendee-list version) and kept.

The version is the event's attendee-list version (``Event.roster_version``,
raised in the same transaction as every change to the list, see ``listing``)
with, in one small statement, the viewer's own memberships, answers and
blocks, which decide whose profile they may see. Any change gives a new
version, so nothing is ever invalidated: the next request simply misses. Kept rosters expire after
``ROSTER_CACHE_SECONDS`` as well (an attendee's answer to another event can
change whether the viewer may see them, without touching these rows).

Rosters live in each process (least recently used go first) and, with
``REDIS_URL`` set, in Redis, shared by every process and host. Redis that
cannot be reached only costs speed.
"""

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field

from flask import Flask, current_app
from sqlalchemy import or_, select

from meetup.calendar.cache import LRU
from meetup.calendar.digest import row_digest
from meetup.extensions import db
from meetup.models import RSVP, Event, Membership, RSVPStatus, User
from meetup.models.contact import Block
from meetup.people import listing  # noqa: F401 - raises the versions this reads
from meetup.people.matching import Person, Suggestion, key, suggest
from meetup.policy import visible_people

log = logging.getLogger(__name__)
REDIS_PREFIX = "treffpunkt:roster:"
BLOCK_PREFIX = "treffpunkt:attendee-block:"
LISTED = (RSVPStatus.GOING, RSVPStatus.WAITLIST)


@dataclass(frozen=True)
class Entry:
    """One named attendee, with what the list sorts and filters by."""

    user_id: int
    waiting: bool
    name_key: str
    company_key: str
    industry: str
    topic_keys: tuple[str, ...] = ()


@dataclass
class Roster:
    entries: list[Entry] = field(default_factory=list)  # in the order they answered
    unlisted_going: int = 0  # counted, not named
    unlisted_waiting: int = 0
    former_going: int = 0  # deleted accounts: counted as „ehemaliges Mitglied“
    suggestions: list[Suggestion] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)


def person(user) -> Person:
    return Person(user.id, user.name, user.industry or "", tuple(user.topics or ()),
                  tuple(user.offers or ()), tuple(user.needs or ()))


def version(event: Event, viewer: User) -> str:
    """The attendee-list version for this viewer: the event's own version (raised
    with every change to its list, see ``listing``) and, in one small statement,
    the viewer's memberships, answers and blocks, which decide whose profile
    they may see."""
    memberships = select(row_digest(Membership.group_id, Membership.role)).where(
        Membership.user_id == viewer.id)
    answers = select(row_digest(RSVP.event_id, RSVP.status)).where(RSVP.user_id == viewer.id)
    blocks = select(row_digest(Block.blocker_id, Block.blocked_id)).where(
        or_(Block.blocker_id == viewer.id, Block.blocked_id == viewer.id))
    digests = db.session.execute(select(*(query.scalar_subquery() for query in (
        memberships, answers, blocks)))).one()
    # The viewer's own profile decides whom they should meet.
    text = repr((event.id, event.roster_version, viewer.id, tuple(digests), person(viewer)))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def compute(event: Event, viewer: User) -> Roster:
    """Read every answer with the columns the roster needs (one statement) and
    match the viewer against those they may see."""
    rows = db.session.execute(
        select(RSVP.user_id, RSVP.status, RSVP.hidden, visible_people(viewer),
               User.former(), User.name, User.company, User.industry, User.topics,
               User.offers, User.needs)
        .join(User, User.id == RSVP.user_id)
        .where(RSVP.event_id == event.id, RSVP.status.in_(LISTED))
        .order_by(RSVP.waitlisted_at, RSVP.id)).all()
    roster, people = Roster(), []
    for (user_id, status, hidden, visible, former, name, company, industry, topics,
         offers, needs) in rows:
        waiting = status == RSVPStatus.WAITLIST
        if former and not waiting:
            roster.former_going += 1
            continue
        if hidden or not visible:
            roster.unlisted_waiting += waiting
            roster.unlisted_going += not waiting
            continue
        topics = list(topics or ())
        roster.entries.append(Entry(user_id, waiting, key(name), key(company or "~"),
                                    industry or "", tuple(key(t) for t in topics)))
        people.append(Person(user_id, name, industry or "", tuple(topics),
                             tuple(offers or ()), tuple(needs or ())))
    roster.industries = sorted({p.industry for p in people if p.industry})
    roster.topics = sorted({t for p in people for t in p.topics}, key=key)
    roster.suggestions = suggest(person(viewer), people)
    return roster


def roster(event: Event, viewer: User, current: str | None = None) -> Roster:
    """The kept roster for this version (``current``, when already read), else
    computed and kept."""
    store = current_app.extensions["roster_cache"]
    name = f"{event.id}:{viewer.id}:{current or version(event, viewer)}"
    data = store.get(name)
    found = None if data is None else _load(data)
    if found is None:
        found = compute(event, viewer)
        store.put(name, _dump(found))
    return found


# --- keeping rosters -----------------------------------------------------------------

def _dump(roster: Roster) -> bytes:
    return json.dumps(asdict(roster)).encode()


def _load(data: bytes) -> Roster:
    raw = json.loads(data)
    suggestions = [Suggestion(**{**item, "person": Person(**{
        name: tuple(value) if isinstance(value, list) else value
        for name, value in item["person"].items()})}) for item in raw["suggestions"]]
    entries = [Entry(**{**item, "topic_keys": tuple(item["topic_keys"])})
               for item in raw["entries"]]
    return Roster(**{**raw, "entries": entries, "suggestions": suggestions})


class Kept:
    """Bytes kept for ``ROSTER_CACHE_SECONDS``: in this process, and in Redis
    when configured. Each value carries the time it expires."""

    def __init__(self, config, prefix: str):
        self.local = LRU(config["ROSTER_CACHE_SIZE"])
        self.seconds = config["ROSTER_CACHE_SECONDS"]
        self.prefix = prefix
        url = config.get("REDIS_URL")
        self.redis = None
        if url and self.local.size > 0:
            import redis

            self.redis = redis.Redis.from_url(url, socket_timeout=0.5,
                                              socket_connect_timeout=0.5)

    def get(self, name: str) -> bytes | None:
        data = self.local.get(name)
        if data is None and self.redis is not None:
            try:
                data = self.redis.get(self.prefix + name)
            except Exception as error:  # noqa: BLE001 - any Redis failure: compute it
                log.warning("Roster cache in Redis not reachable: %r", error)
            if data is not None:
                self.local.put(name, data)
        if data is None:
            return None
        expires, _, value = data.partition(b"\n")
        return value if float(expires) >= time.time() else None

    def put(self, name: str, value: bytes) -> None:
        data = b"%.3f\n" % (time.time() + self.seconds) + value
        self.local.put(name, data)
        if self.redis is not None:
            try:
                self.redis.set(self.prefix + name, data, ex=self.seconds)
            except Exception as error:  # noqa: BLE001 - it is kept in this process
                log.warning("Roster cache in Redis not reachable: %r", error)


def init_app(app: Flask) -> None:
    app.extensions["roster_cache"] = Kept(app.config, REDIS_PREFIX)
    app.extensions["attendee_blocks"] = Kept(app.config, BLOCK_PREFIX)
