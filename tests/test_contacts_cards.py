"""My contacts: notes, tags, follow-ups, search, pages; bad input; queries that do not grow."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from meetup.contacts import queries, services
from meetup.extensions import db
from meetup.models import (
    RSVP,
    Contact,
    ContactCard,
    ContactEvent,
    ContactTag,
    Event,
    MeetingMark,
    Membership,
    User,
    utcnow,
)
from tests.contacts_world import build_evening, client_for, contact_names, mark, post, text
from tests.helpers import default_password_hash


@pytest.fixture
def evening(app, make_user, make_group, add_member, make_event):
    world = build_evening(app, make_user, make_group, add_member, make_event)
    ids = world["ids"]
    for name in ("ben", "cara"):
        mark(client_for(app, "anna"), world["event"], ids["ben"], ids["cara"])
        mark(client_for(app, name), world["event"], ids["anna"])
    return world


def save(client, user_id: int, **values):
    data = {"note": "", "tags": "", "follow_up_on": "", **values}
    return post(client, f"/contacts/{user_id}", data)


def test_notes_tags_and_a_follow_up_are_saved_and_shown(app, evening):
    ids = evening["ids"]
    anna = client_for(app, "anna")
    response = save(anna, ids["ben"], note="Baut eine\nZahnarztpraxis", tags="Kunde?, Bau, bau",
                    follow_up_on="2030-01-15")
    assert response.headers["Location"].endswith(f"/contacts/{ids['ben']}")
    page = text(anna, f"/contacts/{ids['ben']}")
    assert "Baut eine\nZahnarztpraxis" in page and 'value="Kunde?, Bau"' in page
    assert 'value="2030-01-15"' in page
    listing = text(anna, "/contacts/")
    assert "Wiedervorlage am Di., 15. Januar 2030" in listing
    assert '<li class="badge">Kunde?</li>' in listing and listing.count(">Bau<") == 1


def test_search_covers_name_company_tags_and_my_own_notes(app, evening):
    ids = evening["ids"]
    with app.app_context():
        db.session.get(User, ids["ben"]).company = "Bauer Bau GmbH"
        db.session.commit()
    anna, ben = client_for(app, "anna"), client_for(app, "ben")
    save(anna, ids["ben"], note="Sucht eine Steuerkanzlei")
    save(anna, ids["cara"], tags="Export, Polen")
    save(ben, ids["anna"], note="Gartenbau-Idee")
    assert contact_names(anna) in (["Ben Bauer", "Cara Conrad"], ["Cara Conrad", "Ben Bauer"])
    for q, expected in (("conrad", ["Cara Conrad"]), ("bauer bau", ["Ben Bauer"]),
                        ("polen", ["Cara Conrad"]), ("STEUERKANZLEI", ["Ben Bauer"]),
                        ("Gartenbau", []), ("%", []), ("_", [])):
        html = text(anna, f"/contacts/?q={q}")
        assert sorted(_names(html)) == expected, q
    assert _names(text(ben, "/contacts/?q=Gartenbau")) == ["Anna Schneider"]


def _names(html: str) -> list[str]:
    return re.findall(r'<a class="person-name" href="/contacts/\d+">([^<]+)</a>', html)


def test_due_follow_ups_on_the_page(app, evening):
    ids = evening["ids"]
    anna = client_for(app, "anna")
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    save(anna, ids["ben"], follow_up_on=(today - timedelta(days=3)).isoformat())
    save(anna, ids["cara"], follow_up_on=(today + timedelta(days=30)).isoformat())
    listing = text(anna, "/contacts/")
    assert "1 Wiedervorlage ist fällig." in listing and "Wiedervorlage fällig:" in listing
    assert _names(text(anna, "/contacts/?due=1")) == ["Ben Bauer"]
    ben_page = text(client_for(app, "ben"), "/contacts/")
    assert "fällig" not in ben_page and "Wiedervorlage am" not in ben_page


def test_due_follow_ups_for_the_reminder_mail(app, evening):
    """Each follow-up is due on its day in its owner's zone, and once."""
    ids = evening["ids"]
    now = datetime(2030, 6, 1, 12, tzinfo=UTC)
    with app.app_context():
        zones = {"anna": "Europe/Berlin", "ben": "Pacific/Kiritimati",
                 "cara": "America/Los_Angeles"}
        for name, zone in zones.items():
            db.session.get(User, ids[name]).timezone = zone
        cards = {(c.owner_id, c.other_id): c for c in db.session.scalars(select(ContactCard))}
        plan = {(ids["anna"], ids["ben"]): date(2030, 6, 1),  # today in Berlin
                (ids["ben"], ids["anna"]): date(2030, 6, 2),  # already 2 June in Kiribati
                (ids["cara"], ids["anna"]): date(2030, 6, 2),  # still 1 June in California
                (ids["anna"], ids["cara"]): date(2030, 5, 20)}  # overdue
        for key, day in plan.items():
            services.save_card(cards[key], "", [], day)
        db.session.commit()
        due = queries.due_follow_ups(now)
        assert {(c.owner_id, c.other_id) for c in due} == {
            (ids["anna"], ids["ben"]), (ids["ben"], ids["anna"]), (ids["anna"], ids["cara"])}
        assert all(card.owner.name and card.other.name for card in due)
        services.mark_reminded(due, now)
        db.session.commit()
        assert queries.due_follow_ups(now) == []
        assert [c.other_id for c in queries.due_follow_ups(now + timedelta(days=1))] == [
            ids["anna"]]  # California's 2 June has come
        card = cards[(ids["anna"], ids["ben"])]
        services.save_card(card, "", [], date(2030, 6, 1) + timedelta(days=7))
        db.session.commit()
        assert card in queries.due_follow_ups(now + timedelta(days=7))  # a new date, a new mail


@pytest.mark.parametrize(("values", "message"), [
    ({"note": "[" * 20_000}, "höchstens 5000 Zeichen"),
    ({"tags": ", ".join(f"t{i}" for i in range(9))}, "Höchstens 8 Schlagwörter"),
    ({"tags": "x" * 41}, "höchstens 40 Zeichen"),
    ({"tags": "x" * 5000}, "Feld"),
    ({"follow_up_on": "9999-12-31"}, "zwischen 2000 und 2100"),
    ({"follow_up_on": "0001-01-01"}, "zwischen 2000 und 2100"),
    ({"follow_up_on": "morgen"}, "field-error"),
    ({"follow_up_on": "99999999999999999999"}, "field-error"),
])
def test_bad_card_input_gets_a_message_next_to_the_field(app, evening, values, message):
    ids = evening["ids"]
    anna = client_for(app, "anna")
    save(anna, ids["ben"], note="Vorher")
    response = save(anna, ids["ben"], **values)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html
    assert "Vorher" in text(anna, f"/contacts/{ids['ben']}")


def test_hostile_values_never_answer_500(app, evening):
    ids = evening["ids"]
    anna = client_for(app, "anna")
    assert save(anna, ids["ben"], note="a\x00b").status_code == 400
    assert anna.get("/contacts/?q=a%00b").status_code == 400
    assert anna.get("/contacts/?q=" + "x" * 100_000).status_code == 422
    assert anna.get("/contacts/?q=" + "[" * 20_000).status_code == 422
    assert anna.get("/contacts/?page=99999999999999999999").status_code == 200
    for url in ("/contacts/99999999999999999999", "/contacts/2147483647",
                "/contacts/2147483648.vcf", "/contacts/0"):
        assert anna.get(url).status_code == 404, url
    assert post(anna, "/contacts/99999999999999999999/remove").status_code == 404
    assert post(anna, "/contacts/block/2147483647").status_code == 404
    assert anna.get("/contacts/all.vcf?version=2.1").status_code == 422
    assert anna.get(f"/contacts/{ids['ben']}.vcf?version=%00").status_code == 400


def test_pages_of_contacts(app, evening):
    ids = evening["ids"]
    add_contacts(app, ids["anna"], evening["event"], 23)
    anna = client_for(app, "anna")
    first, second = text(anna, "/contacts/"), text(anna, "/contacts/?page=2")
    assert len(_names(first)) == 20 and len(_names(second)) == 5
    assert "Seite 2 von 2" in second and not set(_names(first)) & set(_names(second))


def add_contacts(app, owner_id: int, event_id: int, number: int, prompts: bool = False):
    """``number`` more contacts of the owner, each with a note, two tags, a due
    follow-up and two shared events; with ``prompts``, as many waiting prompts."""
    with app.app_context():
        event = db.session.get(Event, event_id)
        second = Event(group_id=event.group_id, title="Sommerfest", starts_at=event.starts_at
                       - timedelta(days=30), ends_at=event.ends_at - timedelta(days=30))
        db.session.add(second)
        offset = db.session.query(User).count()
        for n in range(number):
            user = User(email=f"k{offset + n}@example.com", name=f"Kontakt {offset + n}",
                        password_hash=default_password_hash(), company=f"Firma {n}")
            db.session.add(user)
            db.session.flush()
            db.session.add(RSVP(event_id=event.id, user_id=user.id, checked_in_at=utcnow()))
            db.session.add(Membership(group_id=event.group_id, user_id=user.id))
            contact = Contact(first_id=min(owner_id, user.id), second_id=max(owner_id, user.id))
            db.session.add(contact)
            db.session.flush()
            for shared in (event, second):
                db.session.add(ContactEvent(contact_id=contact.id, event_id=shared.id))
            for owner, other in ((owner_id, user.id), (user.id, owner_id)):
                card = ContactCard(contact_id=contact.id, owner_id=owner, other_id=other,
                                   note=f"Notiz {n}", follow_up_on=date(2020, 1, 1))
                db.session.add(card)
                db.session.flush()
                db.session.add_all([ContactTag(card_id=card.id, name=f"Tag {n}"),
                                    ContactTag(card_id=card.id, name="Gemeinsam")])
            if prompts:
                prompter = User(email=f"p{offset + n}@example.com", name=f"Frage {n}",
                                password_hash=default_password_hash())
                db.session.add(prompter)
                db.session.flush()
                db.session.add(RSVP(event_id=event.id, user_id=prompter.id,
                                    checked_in_at=utcnow()))
                db.session.add(Membership(group_id=event.group_id, user_id=prompter.id))
                db.session.add(MeetingMark(event_id=event.id, marker_id=prompter.id,
                                           marked_id=owner_id))
        db.session.commit()


def test_the_contacts_page_queries_do_not_grow_with_contacts(app, evening, count_queries):
    ids = evening["ids"]
    anna = client_for(app, "anna")
    pages = ("/contacts/", "/contacts/?q=gemeinsam", "/contacts/?due=1", "/contacts/all.vcf")
    add_contacts(app, ids["anna"], evening["event"], 1, prompts=True)  # every list has one
    with count_queries() as few:
        for page in pages:
            assert anna.get(page).status_code == 200
    add_contacts(app, ids["anna"], evening["event"], 15, prompts=True)
    with count_queries() as many:
        responses = [anna.get(page) for page in pages]
    assert [r.status_code for r in responses] == [200] * 4
    html = responses[0].get_data(as_text=True)
    assert "Firma 3" in html and "Frage 14 sagt" in html and "Sommerfest" in html
    assert responses[3].get_data(as_text=True).count("BEGIN:VCARD") == 18
    assert len(many) == len(few), "\n---\n".join(s[:150] for s in many)


def test_unanswered_marks_are_purged_after_the_window(app, evening):
    ids = evening["ids"]
    mark(client_for(app, "anna"), evening["event"], ids["hanna"])
    mark(client_for(app, "anna"), evening["quiet"], ids["ben"])
    with app.app_context():
        ends = db.session.get(Event, evening["quiet"]).ends_at
        assert services.purge_expired_marks(ends + timedelta(days=13)) == 0
        assert services.purge_expired_marks(ends + timedelta(days=14, hours=1)) == 1
        db.session.commit()
        left = db.session.scalars(select(MeetingMark)).all()
        assert [(m.event_id, m.marked_id) for m in left] == [(evening["event"], ids["hanna"])]
        assert db.session.scalar(select(Contact.id).limit(1)) is not None  # contacts stay
