"""Realistic German demo data for ``flask seed-demo``; safe to run again."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from werkzeug.security import generate_password_hash

from meetup import demo_contacts, demo_relations, demo_told
from meetup.demo_people import PEOPLE, PROFILES, TITLES
from meetup.events import rsvp
from meetup.events.services import Repeat, Schedule, cancel, create
from meetup.extensions import db
from meetup.models import (
    DEFAULT_TIMEZONE,
    RSVP,
    Application,
    ApplicationStatus,
    Event,
    EventKind,
    EventVisibility,
    Group,
    Invitation,
    JoinPolicy,
    Membership,
    OutboxMessage,
    Role,
    SeriesFrequency,
    User,
    Visibility,
    utcnow,
)
from meetup.policy import viewer_for

DEMO_PASSWORD = "treffpunkt-demo"
BERLIN = ZoneInfo(DEFAULT_TIMEZONE)

GROUPS = [
    dict(slug="unternehmerstammtisch-muenster", name="Unternehmerstammtisch Münster",
         city="Münster", visibility=Visibility.PUBLIC, join_policy=JoinPolicy.OPEN,
         short_description="Der offene Stammtisch für Selbstständige, Gründer und "
                           "Geschäftsführer im Münsterland.",
         description="Einmal im Monat treffen wir uns zum ungezwungenen Austausch: "
                     "Erfahrungen teilen, Kontakte knüpfen, voneinander lernen.",
         website="https://example.org/stammtisch-muenster", members=range(0, 18)),
    dict(slug="wirtschaftsclub-leipzig", name="Wirtschaftsclub Leipzig", city="Leipzig",
         visibility=Visibility.PUBLIC, join_policy=JoinPolicy.APPROVAL,
         short_description="Vorträge, Kamingespräche und Abendveranstaltungen für "
                           "Führungskräfte aus Mitteldeutschland.",
         description="Der Wirtschaftsclub verbindet Unternehmerinnen und Unternehmer, "
                     "Führungskräfte und freie Berufe. Aufnahme nach kurzer Bewerbung.",
         website="https://example.org/wirtschaftsclub-leipzig", members=range(14, 32)),
    dict(slug="gruenderkreis-freiburg", name="Gründerkreis Freiburg", city="Freiburg",
         visibility=Visibility.PRIVATE, join_policy=JoinPolicy.INVITE,
         short_description="Geschlossener Kreis erfahrener Gründerinnen und Gründer.",
         description="Vertraulicher Austausch unter Gründern – nur auf Einladung.",
         website="", members=range(28, 42)),
]

# (group slug, title, kind, days from today, start hour, duration hours, venue, address,
#  visibility)
EVENTS = [
    ("unternehmerstammtisch-muenster", "Stammtisch im Pinkus", EventKind.STAMMTISCH, -40, 19, 3,
     "Brauerei Pinkus Müller", "Kreuzstraße 4–10, 48143 Münster", EventVisibility.PUBLIC),
    ("unternehmerstammtisch-muenster", "Vortrag: Nachfolge im Mittelstand", EventKind.TALK, -12,
     18, 2, "IHK Nord Westfalen", "Sentmaringer Weg 61, 48151 Münster", EventVisibility.PUBLIC),
    ("unternehmerstammtisch-muenster", "Stammtisch am Prinzipalmarkt", EventKind.STAMMTISCH, 6,
     19, 3, "Stuhlmacher", "Prinzipalmarkt 6–7, 48143 Münster", EventVisibility.PUBLIC),
    ("unternehmerstammtisch-muenster", "Workshop: LinkedIn für Selbstständige",
     EventKind.WORKSHOP, 20, 17, 3, "Coworking Münster", "Hafenweg 16, 48155 Münster",
     EventVisibility.PUBLIC),
    ("unternehmerstammtisch-muenster", "Clubabend im Pinkus", EventKind.EVENING, 34, 19,
     4, "Brauerei Pinkus Müller", "Kreuzstraße 4–10, 48143 Münster", EventVisibility.MEMBERS),
    ("wirtschaftsclub-leipzig", "Kamingespräch mit der Sparkasse", EventKind.TALK, -25, 19, 2,
     "Salles de Pologne", "Hainstraße 16–18, 04109 Leipzig", EventVisibility.MEMBERS),
    ("wirtschaftsclub-leipzig", "Empfang der Leipziger Wirtschaft",
     EventKind.EVENING, -5, 18, 4, "Alte Handelsbörse", "Naschmarkt 2, 04109 Leipzig",
     EventVisibility.PUBLIC),
    ("wirtschaftsclub-leipzig", "Vortrag: Fachkräfte gewinnen und halten", EventKind.TALK, 9,
     18, 2, "Mädlerpassage, Salon", "Grimmaische Straße 2–4, 04109 Leipzig",
     EventVisibility.PUBLIC),
    ("wirtschaftsclub-leipzig", "Clubabend im Zoo", EventKind.EVENING, 27, 19, 4,
     "Zoo Leipzig, Hacienda", "Pfaffendorfer Straße 29, 04105 Leipzig",
     EventVisibility.MEMBERS),
    ("gruenderkreis-freiburg", "Gründerfrühstück", EventKind.STAMMTISCH, -18, 8, 2,
     "Café Schmidt", "Kaiser-Joseph-Straße 231, 79098 Freiburg", EventVisibility.MEMBERS),
    ("gruenderkreis-freiburg", "Pitch-Abend: Finanzierung", EventKind.WORKSHOP, 13, 18, 3,
     "Grünhof", "Belfortstraße 52, 79098 Freiburg", EventVisibility.MEMBERS),
    ("gruenderkreis-freiburg", "Abend am Schlossberg", EventKind.EVENING, 48, 18, 5,
     "Dattler am Schlossberg", "Am Schlossberg 1, 79104 Freiburg", EventVisibility.MEMBERS),
]

# Cancelled after people had said yes, with the organiser's reason.
CANCELLATIONS = {
    "Workshop: LinkedIn für Selbstständige":
        "Die Referentin ist erkrankt – wir holen den Workshop im Frühjahr nach.",
}
# Per-event details beyond the table above.
EXTRAS = {
    "Clubabend im Zoo": {"capacity": 9, "guests_allowed": 1},  # fully booked, waitlist
    "Vortrag: Fachkräfte gewinnen und halten": {
        "speaker": "Dr. Katrin Schulz",
        "speaker_bio": "Personalvorständin und Autorin von *Gute Leute finden*.",
    },
}
SERIES_TITLE = "Monatlicher Unternehmerstammtisch"

# Applicants to the approval club: (person index, message).
APPLICANTS = [
    (5, "Ich bin Unternehmensberater in Leipzig und suche den Austausch mit Geschäftsführern "
        "aus der Region."),
    (6, "Als Personalvorständin suche ich den Austausch über Fachkräfte – ich würde gern "
        "Ihre Clubabende besuchen."),
    (7, "Ich habe gerade meine Agentur gegründet und freue mich auf neue Kontakte."),
]


def now() -> datetime:
    return datetime.now(UTC)


def email_for(name: str) -> str:
    plain = (name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
             .replace("ß", "ss").replace(" ", "."))
    return f"{plain}@example.com"


def _get_or_add(model, lookup: dict, **values):
    instance = db.session.scalar(select(model).filter_by(**lookup))
    if instance is None:
        instance = model(**lookup, **values)
        db.session.add(instance)
        db.session.flush()
    return instance


def _seed_users() -> list[User]:
    users = []
    # One hash for all demo accounts: they share the documented password, and
    # hashing forty times would make seeding slow for nothing.
    password_hash = generate_password_hash(DEMO_PASSWORD, method="scrypt")
    for name in PEOPLE:
        user = db.session.scalar(select(User).filter_by(email=email_for(name)))
        if user is None:
            company, industry, position, headline, topics, offers, needs, city = PROFILES[
                len(users)]
            user = User(email=email_for(name), name=name, email_verified_at=now(),
                        password_hash=password_hash, company=company, industry=industry,
                        position=position, headline=headline, topics=topics,
                        offers=offers, needs=needs, city=city)
            db.session.add(user)
        users.append(user)
    db.session.flush()
    return users


def _seed_groups(users: list[User]) -> dict[str, Group]:
    groups = {}
    for spec in GROUPS:
        spec = dict(spec)
        members = spec.pop("members")
        group = _get_or_add(Group, {"slug": spec.pop("slug")}, **spec)
        titles = TITLES[group.slug]
        for position, index in enumerate(members):
            role = Role.OWNER if position == 0 else Role.ORGANISER if position < 3 else Role.MEMBER
            title = titles[position] if position < len(titles) else ""
            _get_or_add(Membership, {"group_id": group.id, "user_id": users[index].id},
                        role=role, title=title)
        groups[group.slug] = group
    return groups


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=BERLIN)


def _seed_events(groups: dict[str, Group]) -> list[Event]:
    today = datetime.now(BERLIN).date()
    events = []
    for slug, title, kind, days, hour, hours, venue, address, visibility in EVENTS:
        group = groups[slug]
        starts_at = _local(today + timedelta(days=days), hour)
        event = _get_or_add(
            Event, {"group_id": group.id, "title": title}, kind=kind,
            description=f"{title} – {group.short_description}",
            starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
            timezone=DEFAULT_TIMEZONE, venue_name=venue, venue_address=address,
            visibility=visibility, **{"capacity": 40, **EXTRAS.get(title, {})},
        )
        events.append(event)
    return events


def _seed_rsvps(events: list[Event]) -> None:
    for number, event in enumerate(events):
        if db.session.scalar(select(RSVP.id).filter_by(event_id=event.id)):
            continue  # seeded before
        member_ids = db.session.scalars(
            select(Membership.user_id).where(Membership.group_id == event.group_id)
            .order_by(Membership.id)
        ).all()
        past = event.ends_at < now()
        # A varying, deterministic share of the members says yes, in order: when the
        # event is full, the rest land on the waitlist as they would for real.
        for index, user_id in enumerate(member_ids):
            if (index + number) % 3 == 2:
                continue
            guests = 1 if (index + number) % 7 == 0 and event.guests_allowed else 0
            # Past evenings were answered while registration was open.
            answered_at = min(now(), event.starts_at - timedelta(days=3))
            answer = rsvp.respond(event, viewer_for(db.session.get(User, user_id), event.group),
                                  True, guests, now=answered_at + timedelta(seconds=index))
            if past and answer.is_going and (index + number) % 5 != 4:
                answer.checked_in_at = event.starts_at + timedelta(minutes=index % 30)
        db.session.flush()


def _seed_series(users: list[User], groups: dict[str, Group]) -> list[Event]:
    """Every first Tuesday at 19:00 in Münster, for the next six months."""
    group = groups["unternehmerstammtisch-muenster"]
    existing = db.session.scalars(select(Event).filter_by(group_id=group.id,
                                                          title=SERIES_TITLE)).all()
    if existing:
        return list(existing)
    first = (datetime.now(BERLIN).date().replace(day=1) + timedelta(days=32)).replace(day=1)
    first += timedelta(days=(1 - first.weekday()) % 7)  # the first Tuesday
    schedule = Schedule(datetime.combine(first, time(19)), datetime.combine(first, time(22)),
                        DEFAULT_TIMEZONE)
    return create(group, users[0], {
        "title": SERIES_TITLE, "kind": EventKind.STAMMTISCH, "venue_name": "Stuhlmacher",
        "venue_address": "Prinzipalmarkt 6–7, 48143 Münster", "capacity": 30,
        "description": "Jeden ersten Dienstag im Monat: ungezwungener Austausch bei Bier "
                       "und Brezeln. Gäste sind willkommen.", "guests_allowed": 1,
    }, schedule, publish=True, repeat=Repeat(SeriesFrequency.MONTHLY_WEEKDAY, count=6))


def _seed_applications(users: list[User], groups: dict[str, Group]) -> None:
    group = groups["wirtschaftsclub-leipzig"]
    for index, message in APPLICANTS:
        _get_or_add(Application, {"group_id": group.id, "user_id": users[index].id},
                    message=message, status=ApplicationStatus.PENDING)


def _seed_invitation(users: list[User], groups: dict[str, Group]) -> None:
    group = groups["gruenderkreis-freiburg"]
    _get_or_add(Invitation, {"token": "demo-gruenderkreis-freiburg"}, group_id=group.id,
                max_uses=20, expires_at=now() + timedelta(days=365),
                created_by_id=users[28].id)


def seed() -> dict[str, int]:
    """Add whatever part of the demo data is missing; never duplicates. The demo's
    RSVPs and cancellations queue no mail: nobody behind the demo addresses; nor
    does the next notifications tick (``demo_told``)."""
    started = utcnow()
    users = _seed_users()
    groups = _seed_groups(users)
    _seed_applications(users, groups)
    _seed_invitation(users, groups)
    events = _seed_events(groups) + _seed_series(users, groups)
    _seed_rsvps(events)
    demo_contacts.seed_contacts(users, events, BERLIN)
    demo_relations.seed(users[0], groups["unternehmerstammtisch-muenster"], BERLIN)
    demo_contacts.seed_introductions(users, events)
    for event in events:
        if event.title in CANCELLATIONS:
            cancel(event, CANCELLATIONS[event.title])
    db.session.flush()
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.created_at >= started))
    demo_told.mark(users, events, utcnow())
    return {"users": len(users), "groups": len(groups), "events": len(events)}
