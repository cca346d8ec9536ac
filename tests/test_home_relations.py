"""The relationship part of the signed-in home: follow-ups due, active and dormant
relationships, and at most three nudges — only about events and RSVPs the viewer
may see, never a hidden RSVP, never across a block."""

from datetime import date, timedelta

import pytest

from meetup.contacts.queries import today_for
from meetup.extensions import db
from meetup.models import (
    Block,
    Event,
    EventStatus,
    RSVPStatus,
    User,
    utcnow,
)
from tests.helpers import log_in
from tests.home_world import answer, connect


def section(html: str, heading: str) -> str:
    return html.split(f'id="{heading}"')[1].split("</section>")[0]


def today(app) -> date:
    with app.app_context():
        return today_for(db.session.scalars(db.select(User)).first(), utcnow())


@pytest.fixture
def world(app, make_user, make_group, add_member, make_event):
    """Anna in the Unternehmerclub Münster. Ben and Cara she met last month, Jens
    at a Neujahrsempfang 14 months ago (dormant). Upcoming: a Vortrag she has not
    signed up for, a Kaminabend Jens goes to, and a Sommerfest she is going to."""
    names = {"anna": "Anna Schneider", "ben": "Ben Bauer", "cara": "Cara Conrad",
             "jens": "Jens Weber", "olga": "Olga Orga"}
    ids = {key: make_user(f"{key}@example.com", name=name)[0] for key, name in names.items()}
    club = make_group(ids["olga"])
    for key in ("anna", "ben", "cara", "jens"):
        add_member(club, ids[key])
    old = make_event(club, "Neujahrsempfang", days=-425)
    recent = make_event(club, "Stammtisch", days=-30)
    talk = make_event(club, "Vortrag Zollrecht", days=10)
    party = make_event(club, "Sommerfest", days=20)
    fireside = make_event(club, "Kaminabend", days=15)
    connect(app, ids["anna"], ids["ben"], recent, follow_up=today(app))
    connect(app, ids["anna"], ids["cara"], old, recent)
    connect(app, ids["anna"], ids["jens"], old, follow_up=today(app) - timedelta(days=3))
    answer(app, party, ids["anna"])
    answer(app, talk, ids["ben"])
    answer(app, party, ids["cara"])
    answer(app, fireside, ids["jens"])
    return {"ids": ids, "club": club, "old": old, "recent": recent, "talk": talk,
            "party": party, "fireside": fireside}


def home(app, email="anna@example.com") -> str:
    client = app.test_client()
    log_in(client, email)
    return client.get("/").get_data(as_text=True)


def test_follow_ups_due_list_a_few_with_a_link_to_all(app, world, make_user):
    html = home(app)
    due = section(html, "follow-ups-heading")
    ids = world["ids"]
    assert due.index("Jens Weber") < due.index("Ben Bauer")  # the oldest first
    assert f'href="/contacts/{ids["jens"]}"' in due and f'href="/contacts/{ids["ben"]}"' in due
    assert "heute fällig" in due and "fällig seit" in due
    assert "Cara Conrad" not in due  # no follow-up set
    assert 'href="/contacts/?due=1"' in due and "Alle fälligen Wiedervorlagen (2)" in due

    for number in range(6):
        other, _ = make_user(f"k{number}@example.com", name=f"Kontakt {number}")
        connect(app, ids["anna"], other, world["recent"], follow_up=today(app) + timedelta(
            days=number - 3))  # four due (one today), two ahead
    due = section(home(app), "follow-ups-heading")
    assert due.count("<li>") == 5 and "Alle fälligen Wiedervorlagen (6)" in due
    assert "Kontakt 4" not in due and "Kontakt 5" not in due  # not due yet


def test_active_and_dormant_relationships_are_counted(app, world):
    relations = section(home(app), "relations-heading")
    assert "2 aktive Beziehungen" in relations and "1 ruhende Beziehung" in relations
    assert 'href="/contacts/"' in relations
    # Olga has no contacts: the section invites the next step instead.
    assert "Noch keine Kontakte" in section(home(app, "olga@example.com"), "relations-heading")


def test_nudges_name_contacts_going_to_upcoming_events(app, world):
    nudges = section(home(app), "nudges-heading")
    items = nudges.split("<li")[1:]
    assert len(items) == 3
    ids = world["ids"]
    # The dormant relationship first; then the event Anna has not signed up for.
    assert "Seit " in items[0] and "nicht gesehen:" in items[0] and "Jens Weber" in items[0]
    assert "Kaminabend" in items[0] and "Sie sind noch nicht angemeldet." in items[0]
    assert 'Ben Bauer</a> (getroffen bei „Stammtisch“ im ' in items[1]
    assert "kommt zur Veranstaltung „<a" in items[1] and "Vortrag Zollrecht</a>“" in items[1]
    assert "Sie sind noch nicht angemeldet." in items[1]
    assert "Cara Conrad" in items[2] and "kommt auch zur Veranstaltung" in items[2]
    assert "Sommerfest" in items[2] and "noch nicht angemeldet" not in items[2]
    assert f'href="/contacts/{ids["ben"]}"' in nudges
    assert f'href="/events/{world["talk"]}"' in nudges


def test_nudges_in_english(app, world):
    with app.app_context():
        db.session.get(User, world["ids"]["anna"]).locale = "en"
        db.session.commit()
    html = home(app)
    nudges = section(html, "nudges-heading")
    assert "Worth knowing" in nudges
    assert "You have not seen <a" in nudges and "they are going to “<a" in nudges
    assert "whom you met at “Stammtisch” in " in nudges
    assert "You have not signed up yet." in nudges
    assert "is also going to “<a" in nudges
    assert "2 active relationships" in html and "1 dormant relationship" in html
    assert "All follow-ups due (2)" in html and "due today" in html


def test_a_dormant_contact_going_to_an_event_i_attend_says_also(app, world):
    answer(app, world["fireside"], world["ids"]["anna"])
    nudges = section(home(app), "nudges-heading")
    first = nudges.split("<li")[1]
    assert "nicht gesehen:" in first and "Jens Weber</a> kommt auch zur Veranstaltung" in first
    assert "Kaminabend" in first and "noch nicht angemeldet" not in first


def test_nudges_never_show_hidden_rsvps_blocks_or_events_i_may_not_see(
        app, world, make_user, make_group, make_event, add_member):
    ids = world["ids"]
    hidden, _ = make_user("heimlich@example.com", name="Hanna Heimlich")
    blocker, _ = make_user("sperre@example.com", name="Bodo Blocker")
    roamer, _ = make_user("fremd@example.com", name="Rita Reisende")
    for person in (hidden, blocker, roamer):
        add_member(world["club"], person)
        connect(app, ids["anna"], person, world["recent"])
    answer(app, world["talk"], hidden, hidden=True)  # "don't list me"
    answer(app, world["talk"], blocker)
    with app.app_context():  # the block came from the other side; the cards still exist
        db.session.add(Block(blocker_id=blocker, blocked_id=ids["anna"]))
        db.session.commit()
    stranger, _ = make_user("owner2@example.com", name="Stefan Fremd")
    elsewhere = make_group(stranger, "Wirtschaftsclub Leipzig", city="Leipzig")
    secret = make_group(stranger, "Geheimer Kreis", visibility="private")
    add_member(elsewhere, roamer)
    add_member(secret, roamer)
    for event_id in (make_event(elsewhere, "Clubabend nur für Mitglieder", days=5,
                                visibility="members"),
                     make_event(elsewhere, "Offener Empfang", days=6),  # attendees hidden
                     make_event(secret, "Geheimes Treffen", days=7)):
        answer(app, event_id, roamer)
    cancelled = make_event(world["club"], "Abgesagter Abend", days=8,
                           status=EventStatus.CANCELLED)
    answer(app, cancelled, roamer)  # going to a cancelled evening is no reason to meet
    html = home(app)
    for secret_text in ("Hanna Heimlich", "Bodo Blocker", "Rita Reisende", "Offener Empfang",
                        "Clubabend nur für Mitglieder", "Geheimes Treffen", "Abgesagter Abend"):
        assert secret_text not in section(html, "nudges-heading"), secret_text
    # Once Anna says she goes to the Offener Empfang, she may see who else does.
    answer(app, db_id(app, "Offener Empfang"), ids["anna"])
    assert "Rita Reisende" in section(home(app), "nudges-heading")


def db_id(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Event.id).filter_by(title=title))


def test_an_event_i_declined_is_no_nudge(app, world):
    answer(app, world["talk"], world["ids"]["anna"], status=RSVPStatus.NOT_GOING)
    nudges = section(home(app), "nudges-heading")
    assert "Vortrag Zollrecht" not in nudges and "Ben Bauer" not in nudges


def test_no_contacts_no_nudges(app, world):
    html = home(app, "olga@example.com")
    assert 'id="nudges-heading"' not in html and 'id="follow-ups-heading"' not in html


def test_a_month_is_named_with_its_year_only_when_it_is_not_this_year(app):
    from datetime import UTC, datetime

    from meetup.i18n import month_long
    this_year = datetime.now(UTC).year
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert month_long(datetime(this_year, 3, 15, 12, tzinfo=UTC), "Europe/Berlin") == "März"
        assert month_long(datetime(this_year - 1, 10, 15, 12, tzinfo=UTC),
                          "Europe/Berlin") == f"Oktober {this_year - 1}"
