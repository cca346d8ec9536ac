"""Introduction paths: which of my contacts know someone who matches a term.

A path is me → via → target (two hops) or me → via → second → target (three),
over confirmed contacts only. Everyone on it must allow introductions
(``User.allow_introductions``, the searcher included), nobody on it may have
blocked the searcher or been blocked by them (nor, on three hops, may my contact
and the target have blocked each other: my contact would learn of the target),
and the people the searcher would learn of (the target, and the second person
of a three-hop path) must be people whose profile the searcher may see
(``policy.visible_people``). People who are my contacts already are no
targets: I can write to them myself.

Why fixed self-joins and not a recursive CTE: the depth is fixed and small (at
most three hops), so a UNION ALL of a two-join and a three-join query says
exactly what is wanted and needs no cycle check (a recursive CTE would carry
the path as an array on PostgreSQL and as a string on SQLite to avoid
revisiting people). The joins start from my side, in three non-recursive,
MATERIALIZED common table expressions that SQLite (3.35+) and PostgreSQL (12+)
both understand: my contacts (``hop1``, a few dozen), their contacts (``hop2``,
a few hundred) and everyone within reach (``reached``, a few thousand at three
hops), each person with their visibility and their folded text computed once.
Every hop is an index lookup on ``contact(first_id, second_id)`` or
``contact(second_id)``; no index is added. Without the MATERIALIZED steps,
PostgreSQL began with a scan of everyone matching the term and folded the
text of all 20,000 accounts per search (bench/paths.py measured 350 ms for two
hops against about 30 ms now).

Ranking: fewer hops first; then the weakest link's number of shared meetings
(a chain is as strong as its weakest link), then how recently I met my own
contact. The search costs the same statements whatever the size of the graph: the
paths, then the people on them (and on PostgreSQL, first, ``SET LOCAL jit =
off``: see ``_without_jit``).
"""

import json
from dataclasses import dataclass

from flask_babel import force_locale
from sqlalchemy import (
    ColumnElement,
    Integer,
    Text,
    and_,
    case,
    cast,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    union,
    union_all,
)
from sqlalchemy.sql import Subquery

from meetup import policy
from meetup.extensions import db
from meetup.labels import INDUSTRIES
from meetup.models import Block, Contact, ContactEvent, Event, User
from meetup.search import MAX_NEEDLE, fold, folded, storable, words

LIMIT = 20  # paths shown for one search
CANDIDATES = 60  # rows read before pairs (via, target) are made unique
NO_LINK = 10**6  # the missing third link of a two-hop path never is the weakest


@dataclass(frozen=True)
class Path:
    via: User
    second: User | None
    target: User
    meetings: int  # shared meetings on the weakest link

    @property
    def hops(self) -> int:
        return 2 if self.second is None else 3


@dataclass(frozen=True)
class Only:
    """Restrict the search to one path (used to check a request before it is made)."""

    via: int
    target: int
    second: int | None = None


def _edges(name: str) -> Subquery:
    """Contacts as directed links ``a → b`` (both directions), with the contact's id."""
    return union_all(
        select(Contact.first_id.label("a"), Contact.second_id.label("b"), Contact.id.label("cid")),
        select(Contact.second_id, Contact.first_id, Contact.id)).subquery(name)


def _searchable():
    """The fields a term is looked for in, as one text (folded once per row)."""
    return (User.industry + " " + User.company + " " + User.headline + " " + User.position
            + " " + cast(User.topics, Text) + " " + cast(User.offers, Text))


def industries(word: str) -> list[str]:
    """Codes of the industries whose name, in German or English, contains ``word``
    (profiles store the code: "tax" for "Steuerberatung und Buchhaltung")."""
    wanted = fold(word)
    names = {}
    for locale in ("de", "en"):
        with force_locale(locale):
            for code, label in INDUSTRIES.items():
                names.setdefault(code, []).append(fold(str(label)))
    return sorted(code for code, labels in names.items()
                  if wanted in fold(code) or any(wanted in label for label in labels))


def about(term: str, texts) -> ColumnElement[bool]:
    """SQL on rows of ``texts`` (``_reached``: industry, hay, the searchable text
    folded, and raw, the same lower-cased): every word of ``term`` is in the industry,
    company, headline, position, topics or offers. Topics and offers are JSON
    lists, stored with non-ASCII letters escaped (\\u00fc): for a word with
    such letters the escaped spelling is tried as well."""
    if not storable(term) or len(term) > MAX_NEEDLE or not words(term):
        return false()
    conditions = []
    for word in words(term):
        found = texts.c.hay.contains(fold(word), autoescape=True)
        codes = industries(word)
        if codes:
            found = or_(found, texts.c.industry.in_(codes))
        if not word.isascii():
            escaped = json.dumps(word.lower())[1:-1]
            found = or_(found, texts.c.raw.contains(escaped, autoescape=True))
        conditions.append(found)
    return and_(*conditions)


def _reached(me: User, hop2, hops: int):
    """Everyone within reach (two or three hops), each once, with what the later
    steps ask of them: whether ``me`` may learn of them (``shown``) and their
    searchable text, folded. MATERIALIZED, so that the few thousand people within
    reach are looked at once — never everyone who has an account."""
    reached = select(hop2.c.b)
    if hops >= 3:
        e4 = _edges("e4")
        reached = union(reached, select(e4.c.b).join_from(hop2, e4, e4.c.a == hop2.c.b))
    searchable = _searchable()
    return (select(User.id.label("id"), User.industry.label("industry"),
                   _shown(me).label("shown"),
                   folded(searchable).label("hay"), func.lower(searchable).label("raw"))
            .where(User.id.in_(reached)).cte("reached").prefix_with("MATERIALIZED"))


def _meetings(cid):
    return (select(func.count()).select_from(ContactEvent)
            .where(ContactEvent.contact_id == cid).scalar_subquery())


def _last_met(cid):
    return (select(func.max(Event.starts_at)).join(ContactEvent.event)
            .where(ContactEvent.contact_id == cid).scalar_subquery())


def _people(me: User):
    """Who may be on a path of ``me`` at all: allows it, no block either way."""
    return select(User.id).where(User.allow_introductions.is_(True),
                                 ~policy.blocked_either_way(me), User.id != me.id)


def _shown(me: User):
    """SQL on User rows: people on a path whom ``me`` learns of (allows it, and
    their profile is visible to ``me``)."""
    return and_(User.allow_introductions.is_(True), policy.visible_people(me), User.id != me.id)


def _unblocked(a, b):
    """No block either way between the people in columns ``a`` and ``b``."""
    return ~select(Block.id).where(or_(and_(Block.blocker_id == a, Block.blocked_id == b),
                                       and_(Block.blocker_id == b, Block.blocked_id == a))
                                   ).exists()


def _reach(me: User):
    """My contacts on a path (``hop1``) and their contacts (``hop2``), each
    computed once (MATERIALIZED): a few dozen and a few hundred rows, from
    which every later join starts — the planner cannot begin with a scan of
    everyone who matches the term."""
    e1, e2 = _edges("e1"), _edges("e2")
    hop1 = (select(e1.c.b.label("via"), e1.c.cid.label("c1"))
            .where(e1.c.a == me.id, e1.c.b.in_(_people(me)))
            .cte("hop1").prefix_with("MATERIALIZED"))
    hop2 = (select(hop1.c.via, hop1.c.c1, e2.c.b.label("b"), e2.c.cid.label("c2"))
            .join_from(hop1, e2, e2.c.a == hop1.c.via).where(e2.c.b != me.id)
            .cte("hop2").prefix_with("MATERIALIZED"))
    return hop1, hop2


def _target(hop1, reached, term: str | None, only: Only | None):
    """SQL on the target's User row."""
    wanted = select(reached.c.id).where(reached.c.shown.is_(True))
    if term is not None:
        wanted = wanted.where(about(term, reached))
    condition = and_(User.id.in_(wanted), User.id.not_in(select(hop1.c.via)))
    if only is not None:
        condition = and_(condition, User.id == only.target)
    return condition


def _two_hops(me: User, hop1, hop2, target, only: Only | None):
    query = (select(literal_column("2").label("hops"), hop2.c.via,
                    cast(null(), Integer).label("second"), User.id.label("target"),
                    _meetings(hop2.c.c1).label("m1"), _meetings(hop2.c.c2).label("m2"),
                    literal_column(str(NO_LINK)).label("m3"), _last_met(hop2.c.c1).label("last1"))
             .join_from(hop2, User, User.id == hop2.c.b).where(target))
    return query.where(hop2.c.via == only.via) if only is not None else query


def _three_hops(me: User, hop2, reached, target, only: Only | None):
    e3 = _edges("e3")
    second = select(reached.c.id).where(reached.c.shown.is_(True))
    query = (select(literal_column("3").label("hops"), hop2.c.via, hop2.c.b.label("second"),
                    User.id.label("target"), _meetings(hop2.c.c1).label("m1"),
                    _meetings(hop2.c.c2).label("m2"), _meetings(e3.c.cid).label("m3"),
                    _last_met(hop2.c.c1).label("last1"))
             .join_from(hop2, e3, e3.c.a == hop2.c.b).join(User, User.id == e3.c.b)
             .where(hop2.c.b.in_(second), target, _unblocked(hop2.c.via, User.id)))
    if only is not None:
        query = query.where(hop2.c.via == only.via, hop2.c.b == only.second)
    return query


def _ranked(me: User, term: str | None, only: Only | None, hops: int):
    hop1, hop2 = _reach(me)
    reached = _reached(me, hop2, hops)
    target = _target(hop1, reached, term, only)
    parts = []
    if only is None or only.second is None:
        parts.append(_two_hops(me, hop1, hop2, target, only))
    if hops >= 3 and (only is None or only.second is not None):
        parts.append(_three_hops(me, hop2, reached, target, only))
    found = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("found")
    m1, m2, m3 = found.c.m1, found.c.m2, found.c.m3
    weakest = case((and_(m1 <= m2, m1 <= m3), m1), (m2 <= m3, m2), else_=m3)
    return (select(found.c.via, found.c.second, found.c.target, weakest.label("weakest"))
            .order_by(found.c.hops, weakest.desc(), found.c.last1.desc(), found.c.target,
                      found.c.via, found.c.second)
            .limit(CANDIDATES))


def _without_jit() -> None:
    """PostgreSQL cannot estimate joins on the two-way ``_edges`` (a UNION ALL),
    guesses millions of rows and then spends seconds compiling the statement
    with JIT (bench/paths.py: 3.5 of 6 s at three hops). The search reads a few
    thousand rows, so JIT is switched off for the transaction: one statement."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))


def find(me: User, term: str | None = None, only: Only | None = None,
         hops: int = 3) -> list[Path]:
    """The best paths from ``me`` to people matching ``term`` (or the one path
    ``only``), at most ``LIMIT``, one per (via, target) pair. Empty when ``me``
    has switched introductions off."""
    if not me.allow_introductions or (term is None and only is None):
        return []
    _without_jit()
    rows, seen = [], set()
    for via, second, target, weakest in db.session.execute(_ranked(me, term, only, hops)):
        if (via, target) not in seen:
            seen.add((via, target))
            rows.append((via, second, target, weakest))
    rows = rows[:LIMIT]
    ids = {person for row in rows for person in row[:3] if person is not None}
    people = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(ids)))} if ids else {}
    return [Path(people[via], people.get(second), people[target], weakest)
            for via, second, target, weakest in rows]
