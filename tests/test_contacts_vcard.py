"""vCard 3.0 and 4.0 export, read back with vobject (an independent parser)."""

from datetime import UTC, datetime

import pytest
import vobject

from meetup.contacts import vcard
from meetup.extensions import db
from meetup.models import Membership, ProfileVisibility, User
from tests.contacts_world import build_evening, client_for, mark, post

TRICKY = "Weber, Müller; Partner \\ Söhne"


@pytest.fixture
def evening(app, make_user, make_group, add_member, make_event):
    world = build_evening(app, make_user, make_group, add_member, make_event)
    ids = world["ids"]
    with app.app_context():
        ben = db.session.get(User, ids["ben"])
        ben.company, ben.position, ben.city = TRICKY, "Geschäftsführer", "Münster"
        ben.headline = "Baut Häuser\nund Brücken – " + "ä" * 80
        ben.website, ben.linkedin = "https://example.org/a,b;c", "https://www.linkedin.com/in/ben"
        ben.bio = "Zz-Bio"  # not a vCard field
        cara = db.session.get(User, ids["cara"])
        cara.company, cara.profile_visibility = "Geheim AG", ProfileVisibility.MEMBERS
        db.session.commit()
    anna = client_for(app, "anna")
    mark(anna, world["event"], ids["ben"], ids["cara"])
    for name in ("ben", "cara"):
        mark(client_for(app, name), world["event"], ids["anna"])
    post(anna, f"/contacts/{ids['ben']}", {"note": "Zz-Notiz", "tags": "Zz-Tag",
                                           "follow_up_on": "2030-01-01"})
    with app.app_context():  # Cara leaves the club: her profile closes to Anna
        db.session.execute(Membership.__table__.delete().where(
            Membership.user_id == ids["cara"]))
        db.session.commit()
    return world


def read(body: bytes) -> list:
    text = body.decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    return list(vobject.readComponents(text))


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_one_contact_parses_and_holds_what_the_profile_shows(app, evening, version):
    anna = client_for(app, "anna")
    response = anna.get(f"/contacts/{evening['ids']['ben']}.vcf?version={version}")
    assert response.status_code == 200
    assert response.mimetype == "text/vcard"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    [card] = read(response.get_data())
    assert card.version.value == version
    assert card.fn.value == "Ben Bauer"
    assert (card.n.value.family, card.n.value.given) == ("Bauer", "Ben")
    assert card.org.value == [TRICKY]
    assert card.title.value == "Geschäftsführer"
    assert card.note.value == "Baut Häuser\nund Brücken – " + "ä" * 80
    assert card.adr.value.city == "Münster"
    assert sorted(url.value for url in card.url_list) == [
        "https://example.org/a%2Cb%3Bc", "https://www.linkedin.com/in/ben"]
    assert card.uid.value.startswith("urn:uuid:")
    body = response.get_data(as_text=True)
    for private in ("Zz-Notiz", "Zz-Tag", "2030", "Zz-Bio", "ben@example.com"):
        assert private not in body


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_all_contacts_in_one_file_with_only_shared_fields(app, evening, version):
    anna = client_for(app, "anna")
    response = anna.get(f"/contacts/all.vcf?version={version}")
    cards = {card.fn.value: card for card in read(response.get_data())}
    assert set(cards) == {"Ben Bauer", "Cara Conrad"}
    cara = cards["Cara Conrad"]
    names = {child.name for child in cara.getChildren()}
    assert names <= {"VERSION", "PRODID", "KIND", "FN", "N", "UID", "REV"}
    assert "Geheim AG" not in response.get_data(as_text=True)
    one = read(anna.get(f"/contacts/{evening['ids']['ben']}.vcf").get_data())[0]
    assert one.uid.value == cards["Ben Bauer"].uid.value  # address books update, not duplicate


def test_only_my_own_contacts_export(app, evening):
    ids = evening["ids"]
    for name in ("cara", "olga", "admin"):
        client = client_for(app, name)
        assert client.get(f"/contacts/{ids['ben']}.vcf").status_code == 404
        assert client.get(f"/contacts/{ids['anna']}.vcf").status_code in (200, 404)
        assert b"Ben Bauer" not in client.get("/contacts/all.vcf").get_data()
    ben_cards = read(client_for(app, "ben").get("/contacts/all.vcf").get_data())
    assert [card.fn.value for card in ben_cards] == ["Anna Schneider"]


@pytest.mark.parametrize("version", vcard.VERSIONS)
def test_pathological_profile_text_survives_the_round_trip(version):
    person = User(id=7, name="Ünal  O'Brien-Groß", company="a\\b,c;d\r\ne\x01f",
                  position="[" * 20_000, headline="\\n is not a newline", city="",
                  website="", linkedin="", xing="")
    body = vcard.cards([vcard.Entry(person, "urn:uuid:x", True)], version,
                       datetime(2030, 1, 1, tzinfo=UTC))
    [card] = read(body)
    assert card.org.value == ["a\\b,c;d\nef"]
    assert card.title.value == "[" * 20_000
    assert card.note.value == "\\n is not a newline"
    assert card.fn.value == "Ünal  O'Brien-Groß"
    assert card.rev.value == "20300101T000000Z"


def test_folding_never_splits_a_character_or_an_escape():
    line = "NOTE:" + "ä\\," * 100
    folded = vcard.fold(line)
    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    for part in folded.split("\r\n")[1:]:
        assert part.startswith(" ") and not part.startswith(" ,")
