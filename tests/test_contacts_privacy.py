"""Marks, notes, tags and follow-ups are their owner's alone; removing and blocking."""

import pytest
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Block, ContactCard, ContactTag, Membership, User
from tests.contacts_world import (
    build_evening,
    client_for,
    contact_names,
    counts,
    every_page,
    mark,
    post,
    text,
)
from tests.helpers import redirects_to

NOTE, TAG = "Zz-Notiz-Vertraulich", "Zz-Schlagwort"
FOLLOW_UP = "2031-07-17"  # shown as "17. Juli 2031"


@pytest.fixture
def evening(app, make_user, make_group, add_member, make_event):
    return build_evening(app, make_user, make_group, add_member, make_event)


def connect(app, world, a: str, b: str, event_key: str = "event") -> None:
    ids, event = world["ids"], world[event_key]
    redirects_to(mark(client_for(app, a), event, ids[b]), f"/contacts/met/{event}")
    redirects_to(mark(client_for(app, b), event, ids[a]), f"/contacts/met/{event}")


def save_card(client, user_id: int, note: str = NOTE, tags: str = TAG,
              follow_up: str = FOLLOW_UP):
    return post(client, f"/contacts/{user_id}", {"note": note, "tags": tags,
                                                 "follow_up_on": follow_up})


def secrets_on(client, urls) -> list[str]:
    found = []
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        found += [f"{url}: {secret}" for secret in (NOTE, TAG, "17. Juli 2031", FOLLOW_UP)
                  if secret in body]
    return found


def test_notes_tags_and_follow_ups_are_seen_by_their_owner_only(app, evening):
    connect(app, evening, "anna", "ben")
    anna = client_for(app, "anna")
    redirects_to(save_card(anna, evening["ids"]["ben"]), f"/contacts/{evening['ids']['ben']}")
    mine = text(anna, f"/contacts/{evening['ids']['ben']}")
    assert NOTE in mine and TAG in mine and FOLLOW_UP in mine
    assert TAG in text(anna, "/contacts/") and "17. Juli 2031" in text(anna, "/contacts/")
    urls = every_page(app, evening)
    assert "/contacts/all.vcf" in urls and f"/events/{evening['event']}/attendees.csv" in urls
    assert len(secrets_on(anna, urls)) >= 3  # the check finds them where they are
    # Ben (the other side), a third person, the organiser and a site admin.
    for name in ("ben", "cara", "olga", "admin"):
        assert secrets_on(client_for(app, name), urls) == [], name
    # The card is loaded for its owner only, whatever id is in the URL.
    for name in ("cara", "olga", "admin"):
        client = client_for(app, name)
        assert client.get(f"/contacts/{evening['ids']['ben']}").status_code == 404
        assert client.get(f"/contacts/{evening['ids']['anna']}").status_code == 404


def test_one_sided_marks_show_nowhere_but_as_the_prompt(app, evening):
    ids, event = evening["ids"], evening["event"]
    olga = client_for(app, "olga")
    csv_before = olga.get(f"/events/{event}/attendees.csv").get_data()
    mark(client_for(app, "anna"), event, ids["ben"])
    assert olga.get(f"/events/{event}/attendees.csv").get_data() == csv_before
    prompt = "Anna Schneider sagt"
    for name in ("cara", "olga", "admin", "dora", "anna"):
        client = client_for(app, name)
        for url in every_page(app, evening):
            body = client.get(url).get_data(as_text=True)
            assert prompt not in body and "Sagt, Sie haben sich getroffen" not in body, (
                name, url)
    ben = client_for(app, "ben")
    shown = [url for url in every_page(app, evening) if prompt in text(ben, url)]
    assert shown == ["/contacts/"]


def test_an_outsider_with_other_peoples_ids_in_every_url_changes_nothing(app, evening):
    ids, event = evening["ids"], evening["event"]
    connect(app, evening, "anna", "ben")
    save_card(client_for(app, "anna"), ids["ben"])
    mark(client_for(app, "hanna"), event, ids["anna"])  # a prompt waiting for Anna
    before = counts(app)
    for name in ("cara", "admin", "eve"):
        client = client_for(app, name)
        for other in (ids["anna"], ids["ben"]):
            assert client.get(f"/contacts/{other}").status_code == 404
            assert client.get(f"/contacts/{other}.vcf").status_code == 404
            assert save_card(client, other, note="übernommen").status_code == 404
            assert post(client, f"/contacts/{other}/remove").status_code == 404
        for marker in (ids["hanna"], ids["anna"]):
            assert post(client, f"/contacts/met/{event}/ignore/{marker}").status_code == 404
            assert post(client, f"/contacts/met/{event}/confirm/{marker}").status_code in (
                403, 404)
    assert post(client_for(app, "eve"), f"/contacts/block/{ids['anna']}").status_code == 404
    assert counts(app) == before
    anna = client_for(app, "anna")
    assert NOTE in text(anna, f"/contacts/{ids['ben']}")
    assert "Hanna Heimlich sagt" in text(anna, "/contacts/")
    with app.app_context():
        assert db.session.scalar(select(Block.id)) is None


def test_removing_ends_the_contact_for_both_silently_and_keeps_no_marks(app, evening):
    ids, event = evening["ids"], evening["event"]
    connect(app, evening, "anna", "ben")
    mark(client_for(app, "anna"), evening["quiet"], ids["ben"])  # a pending mark as well
    anna, ben = client_for(app, "anna"), client_for(app, "ben")
    save_card(anna, ids["ben"])
    save_card(ben, ids["anna"], note="Bens Notiz")
    response = post(anna, f"/contacts/{ids['ben']}/remove")
    assert response.headers["Location"].endswith("/contacts/")
    assert contact_names(anna) == [] and contact_names(ben) == []
    assert counts(app) == {"MeetingMark": 0, "Contact": 0, "ContactEvent": 0, "ContactCard": 0}
    with app.app_context():
        assert db.session.scalar(select(ContactTag.id)) is None
    ben_page = text(ben, "/contacts/")
    assert "Anna" not in ben_page and "bestätigen?" not in ben_page
    # Still in the window they may meet again: a fresh card, no old notes.
    connect(app, evening, "anna", "ben")
    assert NOTE not in text(anna, f"/contacts/{ids['ben']}")
    assert "Bens Notiz" not in text(ben, f"/contacts/{ids['anna']}")
    assert event


def test_blocking(app, evening):
    ids, event = evening["ids"], evening["event"]
    connect(app, evening, "anna", "ben")
    cara = client_for(app, "cara")
    mark(cara, event, ids["anna"])
    anna = client_for(app, "anna")
    assert "Cara Conrad sagt" in text(anna, "/contacts/")
    assert cara.get(f"/people/{ids['anna']}").status_code == 200

    redirects_to(post(anna, f"/contacts/block/{ids['cara']}"), "/contacts/blocked")
    assert "Cara Conrad sagt" not in text(anna, "/contacts/")  # the prompt is gone
    assert cara.get(f"/people/{ids['anna']}").status_code == 404  # my profile, both ways
    assert anna.get(f"/people/{ids['cara']}").status_code == 404
    assert "Anna Schneider" not in text(cara, f"/contacts/met/{event}")
    assert "Anna Schneider" not in text(cara, f"/events/{event}")  # nor among attendees
    assert mark(cara, event, ids["anna"]).status_code == 422  # cannot mark me
    assert "Cara Conrad" not in text(anna, f"/contacts/met/{event}")
    assert mark(anna, event, ids["cara"]).status_code == 422
    assert counts(app)["MeetingMark"] == 0

    # Blocking a contact ends the contact too.
    redirects_to(post(anna, f"/contacts/block/{ids['ben']}"), "/contacts/blocked")
    assert contact_names(anna) == [] and contact_names(client_for(app, "ben")) == []
    blocked = text(anna, "/contacts/blocked")
    assert "Ben Bauer" in blocked and "Cara Conrad" in blocked
    redirects_to(post(anna, f"/contacts/block/{ids['ben']}"), "/contacts/blocked")  # again: fine

    redirects_to(post(anna, f"/contacts/unblock/{ids['cara']}"), "/contacts/blocked")
    assert cara.get(f"/people/{ids['anna']}").status_code == 200
    assert "Cara Conrad sagt" not in text(anna, "/contacts/")  # the old mark is gone
    assert "Cara Conrad" not in text(anna, "/contacts/blocked")
    redirects_to(mark(cara, event, ids["anna"]), f"/contacts/met/{event}")


def test_a_contact_whose_profile_closes_keeps_only_the_name(app, evening):
    """Cara leaves the club and shows her profile to members only: Anna keeps the
    contact and its context, but no longer sees (or finds by) her company."""
    ids = evening["ids"]
    connect(app, evening, "anna", "cara")
    with app.app_context():
        cara = db.session.get(User, ids["cara"])
        cara.company, cara.headline = "Geheim AG", "Zz-Schlagzeile"
        db.session.execute(Membership.__table__.delete().where(
            Membership.user_id == ids["cara"]))
        db.session.commit()
    anna = client_for(app, "anna")
    page = text(anna, "/contacts/")
    assert "Cara Conrad" in page and "Geheim AG" not in page and "Zz-Schlagzeile" not in page
    assert "Das Profil ist für Sie nicht sichtbar." in page
    assert "Geheim AG" not in text(anna, f"/contacts/{ids['cara']}")
    assert contact_names(anna) == ["Cara Conrad"]
    assert "Cara Conrad" not in text(anna, "/contacts/?q=Geheim")
    assert "Cara Conrad" in text(anna, "/contacts/?q=conrad")
    with app.app_context():
        assert db.session.scalar(select(ContactCard.id).filter_by(owner_id=ids["anna"]))
