"""A club evening that ended yesterday, for the contacts tests.

At the door were Anna, Ben, Cara and Hanna (Hanna chose "don't list me"). Dora said
yes but was not checked in; Wanda waited on the waitlist; Olaf is a member who did
not come. Olga owns the club and ran the door. Eve was at another club's evening.
A second evening of the club ("quiet") had no check-in at all: everyone going counts.
"""

import re
from datetime import timedelta

from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import (
    RSVP,
    Contact,
    ContactCard,
    ContactEvent,
    Event,
    MeetingMark,
    RSVPStatus,
    User,
)
from tests.helpers import csrf_token, log_in, redirects_to

PEOPLE = ("olga", "anna", "ben", "cara", "dora", "hanna", "wanda", "olaf", "eve", "admin")
NAMES = {"olga": "Olga Orga", "anna": "Anna Schneider", "ben": "Ben Bauer",
         "cara": "Cara Conrad", "dora": "Dora Draußen", "hanna": "Hanna Heimlich",
         "wanda": "Wanda Warte", "olaf": "Olaf Ohne", "eve": "Eve Anders",
         "admin": "Adam Admin"}


def email(name: str) -> str:
    return f"{name}@example.com"


def build_evening(app, make_user, make_group, add_member, make_event, days: int = -1) -> dict:
    ids = {name: make_user(email(name), name=NAMES[name])[0] for name in PEOPLE}
    club = make_group(ids["olga"], "Unternehmerclub Münster")
    other = make_group(ids["eve"], "Anderer Club", city="Köln")
    for name in ("anna", "ben", "cara", "dora", "hanna", "wanda", "olaf"):
        add_member(club, ids[name])
    event = make_event(club, title="Stammtisch", days=days)
    quiet = make_event(club, title="Kaminabend", days=days - 1)
    elsewhere = make_event(other, title="Anderswo", days=days)
    with app.app_context():
        start = db.session.get(Event, event).starts_at
        for name in ("anna", "ben", "cara", "hanna"):
            db.session.add(RSVP(event_id=event, user_id=ids[name], hidden=name == "hanna",
                                checked_in_at=start + timedelta(minutes=5)))
        db.session.add(RSVP(event_id=event, user_id=ids["dora"]))
        db.session.add(RSVP(event_id=event, user_id=ids["wanda"], status=RSVPStatus.WAITLIST,
                            waitlisted_at=start - timedelta(days=2)))
        for name in ("anna", "ben", "hanna"):
            db.session.add(RSVP(event_id=quiet, user_id=ids[name], hidden=name == "hanna"))
        db.session.add(RSVP(event_id=quiet, user_id=ids["dora"], status=RSVPStatus.NOT_GOING))
        db.session.add(RSVP(event_id=elsewhere, user_id=ids["eve"],
                            checked_in_at=start + timedelta(minutes=5)))
        db.session.get(User, ids["admin"]).is_admin = True
        db.session.commit()
    return {"ids": ids, "club": club, "event": event, "quiet": quiet, "elsewhere": elsewhere}


def client_for(app, name: str):
    client = app.test_client()
    redirects_to(log_in(client, email(name)), "/")
    return client


def text(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


def post(client, url: str, data: dict | None = None, page: str = "/contacts/"):
    """POST with the CSRF token of ``page`` (any page of the session will do)."""
    token = csrf_token(text(client, page))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def mark(client, event_id: int, *people: int):
    """Submit "whom did you meet?" with exactly these people checked."""
    return post(client, f"/contacts/met/{event_id}",
                {"people": [str(person) for person in people]},
                page=f"/events/{event_id}")


def counts(app) -> dict[str, int]:
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (MeetingMark, Contact, ContactEvent, ContactCard)}


def contact_names(client) -> list[str]:
    """The names on my contacts page, in order."""
    html = text(client, "/contacts/")
    return re.findall(r'<a class="person-name" href="/contacts/\d+">([^<]+)</a>', html)


def every_page(app, world: dict, people=("anna", "ben", "cara")) -> list[str]:
    """Every GET page of the app that the evening's rows can fill: whatever a
    person, an organiser or an admin can open about these people and this club."""
    values = {"event_id": [world["event"], world["quiet"]], "slug": [world["club"]],
              "user_id": [world["ids"][name] for name in people]}
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or not set(
                rule.arguments) <= set(values):
            continue
        combos = [{}]
        for name in sorted(rule.arguments):
            combos = [{**combo, name: value} for combo in combos for value in values[name]]
        urls += [adapter.build(rule.endpoint, combo) for combo in combos]
    return sorted(urls)
