"""Which mails a person may do without, and whether they want them.

``wants(user, kind, group)`` is what every sender of a non-essential mail asks
first; ``opted_out(users, kind, group)`` answers the same for many people in one
query (an announcement, the people going to an event). Kinds: ``reminders``,
``still_coming``, ``organiser_alerts``, ``organiser_summary``, ``follow_ups`` (the
contact follow-ups one set), ``announcements`` (per person, and per club when
``group`` is given) and ``new_events`` (per club: at once or in a weekly digest;
see ``new_events``). Each such mail carries an unsubscribe link (``unsubscribe``):
signed, one click, no login, with the RFC 8058 headers.
"""

from sqlalchemy import select, union

from meetup.database import in_slices
from meetup.extensions import db
from meetup.models import ClubMailSettings, Group, MailSettings, NewEvents, User
from meetup.security import InvalidToken, make_token, read_token
from meetup.urls import external_url

PERSONAL = ("reminders", "still_coming", "organiser_alerts", "organiser_summary",
            "announcements", "follow_ups")
PER_CLUB = ("new_events", "announcements")
KINDS = frozenset(PERSONAL + PER_CLUB)
OFF_BY_DEFAULT = ("organiser_summary",)  # the other kinds come until switched off
UNSUBSCRIBE = "unsubscribe"
NEVER_EXPIRES = 10 * 365 * 24 * 3600  # an unsubscribe link must keep working


def settings(user: User) -> MailSettings:
    """The person's switches (the defaults, not added to the session, if none are saved)."""
    found = db.session.get(MailSettings, user.id)
    return found or MailSettings(user_id=user.id, reminders=True, still_coming=True,
                                 organiser_alerts=True, organiser_summary=False,
                                 announcements=True, follow_ups=True)


def club_settings(user: User, group: Group) -> ClubMailSettings:
    found = db.session.get(ClubMailSettings, (user.id, group.id))
    return found or ClubMailSettings(user_id=user.id, group_id=group.id,
                                     new_events=NewEvents.IMMEDIATELY, announcements=True)


def new_events(user: User, group: Group) -> NewEvents:
    return club_settings(user, group).new_events


def wants(user: User, kind: str, group: Group | None = None) -> bool:
    """Whether ``user`` wants mails of ``kind`` (about ``group``, if given)."""
    return user.id not in opted_out([user], kind, group)


def opted_out(users: list[User], kind: str, group: Group | None = None) -> set[int]:
    """The ids of those among ``users`` who do not want mails of ``kind`` (about
    ``group``, if given): one query however many people (one per ``IN_LIST_SIZE``
    of a club larger than that), none for nobody."""
    if kind not in KINDS:
        raise ValueError(f"no preference for mails of kind {kind!r}")
    ids = [user.id for user in users]
    if kind == "new_events" and group is None:  # asked of a club only
        return set(ids)
    return set().union(*(_opted_out(some, kind, group) for some in in_slices(ids)))


def _opted_out(ids: list[int], kind: str, group: Group | None) -> set[int]:
    if kind == "new_events":
        return set(db.session.scalars(_club_off(ids, group, ClubMailSettings.new_events
                                                == NewEvents.OFF)))
    column = getattr(MailSettings, kind)
    if kind in OFF_BY_DEFAULT:  # no saved row: out
        query = select(User.id).where(User.id.in_(ids), User.id.not_in(
            select(MailSettings.user_id).where(column.is_(True))))
    else:
        query = select(MailSettings.user_id).where(MailSettings.user_id.in_(ids),
                                                   column.is_(False))
    if kind == "announcements" and group is not None:
        query = union(query, _club_off(ids, group, ClubMailSettings.announcements.is_(False)))
    return set(db.session.scalars(query))


def _club_off(ids: list[int], group: Group, condition):
    return select(ClubMailSettings.user_id).where(
        ClubMailSettings.user_id.in_(ids), ClubMailSettings.group_id == group.id, condition)


def save(user: User, values: dict[str, bool]) -> MailSettings:
    """Store the person's switches (flushes)."""
    row = db.session.get(MailSettings, user.id) or MailSettings(user_id=user.id)
    for kind in PERSONAL:
        if kind in values:
            setattr(row, kind, bool(values[kind]))
    db.session.add(row)
    db.session.flush()
    return row


def save_club(user: User, group: Group, new_events: NewEvents | None = None,
              announcements: bool | None = None) -> ClubMailSettings:
    row = (db.session.get(ClubMailSettings, (user.id, group.id))
           or ClubMailSettings(user_id=user.id, group_id=group.id,
                               new_events=NewEvents.IMMEDIATELY, announcements=True))
    if new_events is not None:
        row.new_events = new_events
    if announcements is not None:
        row.announcements = announcements
    db.session.add(row)
    db.session.flush()
    return row


def club_rows(user: User, groups: list[Group]) -> dict[int, ClubMailSettings]:
    """Saved per-club choices of ``user`` by group id."""
    rows = db.session.scalars(select(ClubMailSettings).where(
        ClubMailSettings.user_id == user.id,
        ClubMailSettings.group_id.in_([group.id for group in groups])))
    return {row.group_id: row for row in rows}


# --- unsubscribing ---------------------------------------------------------------

def unsubscribe_token(user: User, kind: str, group: Group | None = None) -> str:
    if kind not in KINDS:
        raise ValueError(kind)
    return make_token(UNSUBSCRIBE, {"u": user.id, "k": kind,
                                    "g": group.id if group is not None else None})


def read_unsubscribe(token: str) -> tuple[int, str, int | None]:
    """(user id, kind, group id) of a link; raises ``InvalidToken``."""
    data = read_token(UNSUBSCRIBE, token, NEVER_EXPIRES)
    if data.get("k") not in KINDS or not isinstance(data.get("u"), int):
        raise InvalidToken()
    return data["u"], data["k"], data.get("g")


def unsubscribe(user: User, kind: str, group: Group | None) -> None:
    """Switch one kind of mail off: for the club when the link was about one."""
    if group is not None and kind in PER_CLUB:
        if kind == "new_events":
            save_club(user, group, new_events=NewEvents.OFF)
        else:
            save_club(user, group, announcements=False)
    elif kind in PERSONAL:
        save(user, {kind: False})


def unsubscribe_link(user: User, kind: str, group: Group | None = None) -> str:
    return external_url("preferences.unsubscribe",
                        token=unsubscribe_token(user, kind, group))


def list_headers(link: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail clients offer a one-click unsubscribe button."""
    return {"List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
