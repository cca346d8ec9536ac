"""Profiles, their privacy, and the attendee preview with people to meet."""

import re

import pytest
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import RSVP, Group, Membership, ProfileVisibility, RSVPStatus, User
from tests.helpers import log_in, redirects_to, submit

SECRET = "Zz-Geheimberuf"  # a headline that must only show where allowed


def set_profile(app, user_id, **values):
    with app.app_context():
        user = db.session.get(User, user_id)
        for name, value in values.items():
            setattr(user, name, value)
        db.session.commit()


@pytest.fixture
def world(app, make_user, make_group, add_member, make_event):
    """Owner Olga is going to an event of club A and chooses a visibility per test."""
    ids = {name: make_user(f"{name}@example.com", name=name.title())[0] for name in (
        "owner", "olga", "member", "coattendee", "outsider", "organiser")}
    club = make_group(ids["owner"], "Club A")
    other = make_group(ids["owner"], "Club B")
    for name in ("olga", "member", "coattendee"):
        add_member(club, ids[name])
    add_member(club, ids["organiser"], "organiser")
    add_member(other, ids["outsider"])
    event = make_event(club)
    other_event = make_event(other, title="Anderswo")
    with app.app_context():
        db.session.add(RSVP(event_id=event, user_id=ids["olga"]))
        db.session.add(RSVP(event_id=event, user_id=ids["coattendee"]))
        db.session.commit()
    set_profile(app, ids["olga"], headline=SECRET, company="Olga GmbH", topics=["Export"])
    return {"ids": ids, "club": club, "event": event, "other_event": other_event}


# viewer -> may see Olga's name and profile, per visibility
EXPECTED = {
    "members": {"anonymous": False, "outsider": False, "member": True, "coattendee": True,
                "organiser": True},
    "attendees": {"anonymous": False, "outsider": False, "member": False, "coattendee": True,
                  "organiser": False},
    "signed_in": {"anonymous": False, "outsider": True, "member": True, "coattendee": True,
                  "organiser": True},
}


def pages_for(world):
    return [f"/events/{world['event']}", f"/groups/{world['club']}",
            f"/groups/{world['club']}/members", f"/groups/{world['club']}/members?q=olga",
            f"/people/{world['ids']['olga']}"]


@pytest.mark.parametrize("visibility", ["members", "attendees", "signed_in"])
@pytest.mark.parametrize("viewer", ["anonymous", "outsider", "member", "coattendee",
                                    "organiser"])
def test_privacy_matrix(app, world, visibility, viewer):
    set_profile(app, world["ids"]["olga"], profile_visibility=ProfileVisibility(visibility))
    client = app.test_client()
    if viewer != "anonymous":
        log_in(client, f"{viewer}@example.com")
    allowed = EXPECTED[visibility][viewer]
    profile = client.get(f"/people/{world['ids']['olga']}")
    assert (profile.status_code == 200) == allowed, "profile page"
    for url in pages_for(world):
        html = client.get(url).get_data(as_text=True)
        if not allowed:
            assert SECRET not in html and ">Olga<" not in html and "Olga GmbH" not in html, url
    if allowed and viewer in ("member", "coattendee", "organiser"):
        preview = client.get(f"/events/{world['event']}").get_data(as_text=True)
        assert SECRET in preview and "Olga GmbH" in preview


def test_hidden_attendee_is_counted_not_named(app, world):
    set_profile(app, world["ids"]["olga"], profile_visibility=ProfileVisibility.SIGNED_IN)
    olga = app.test_client()
    log_in(olga, "olga@example.com")
    page = f"/events/{world['event']}"
    submit(olga, f"{page}/listing", {"hidden": "y"}, page=page)
    member = app.test_client()
    log_in(member, "member@example.com")
    html = member.get(page).get_data(as_text=True)
    assert "Olga" not in html and SECRET not in html
    assert "+ 1 weitere Person dabei, nicht aufgeführt" in html
    assert "2 Personen sind dabei" in html
    # Not even the organisers' check-in list names her; she checks in with her ticket.
    organiser = app.test_client()
    log_in(organiser, "organiser@example.com")
    check_in = organiser.get(f"{page}/check-in").get_data(as_text=True)
    assert "Olga" not in check_in and "1 Person möchte nicht genannt werden" in check_in
    for url in (f"{page}/attendees.csv", f"{page}/badges"):
        assert "Olga" not in organiser.get(url).get_data(as_text=True)


def test_people_to_meet_with_reasons(app, world):
    ids = world["ids"]
    set_profile(app, ids["olga"], offers=["Steuerberatung"], topics=["Export", "KI"])
    set_profile(app, ids["coattendee"], needs=["steuerberatung "], topics=["export"])
    client = app.test_client()
    log_in(client, "coattendee@example.com")
    html = client.get(f"/events/{world['event']}").get_data(as_text=True)
    meet = html.split('id="meet-heading"')[1].split("</section>")[0]
    assert "Olga" in meet
    assert "Bietet: Steuerberatung — Sie suchen das" in meet
    assert "Gemeinsame Themen: Export" in meet


def test_preview_filters_and_sorting(app, world, add_member):
    ids = world["ids"]
    set_profile(app, ids["olga"], industry="tax", company="Zeta AG")
    set_profile(app, ids["coattendee"], industry="it", company="Alpha GmbH", topics=["KI"])
    client = app.test_client()
    log_in(client, "member@example.com")
    page = f"/events/{world['event']}"

    def names(query):
        html = client.get(page + query).get_data(as_text=True)
        section = html.split('id="attendees-heading"')[1].split("</section>")[0]
        return re.findall(r'class="person-name"[^>]*>([^<]+)<', section)

    assert names("") == ["Coattendee", "Olga"]
    assert names("?sort=company") == ["Coattendee", "Olga"]  # Alpha before Zeta
    assert names("?industry=tax") == ["Olga"]
    assert names("?topic=ki") == ["Coattendee"]


def test_preview_is_for_members_and_people_going(app, world, make_user):
    make_user("public@example.com", name="Pia")
    client = app.test_client()
    log_in(client, "public@example.com")  # not a member, not going: no preview
    html = client.get(f"/events/{world['event']}").get_data(as_text=True)
    assert 'id="attendees-heading"' not in html


def test_profile_form(app, client, make_user):
    user_id, _ = make_user()
    log_in(client, "mara@example.com")
    page = "/people/me"
    response = submit(client, page, {
        "headline": "Steuerberaterin", "industry": "tax", "topics": "Export,  export , KI",
        "offers": "Steuerberatung\n\nJahresabschluss", "needs": "Kapital",
        "website": "https://example.org", "linkedin": "https://www.linkedin.com/in/mara",
        "profile_visibility": "attendees"})
    redirects_to(response, f"/people/{user_id}")
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.topics == ["Export", "KI"]
        assert user.offers == ["Steuerberatung", "Jahresabschluss"]
        assert user.profile_visibility == ProfileVisibility.ATTENDEES


@pytest.mark.parametrize(("field", "value", "message"), [
    ("website", "http://example.org", "https://"),
    ("linkedin", "https://evil.example/in/mara", "keine Linkedin-Adresse"),
    ("xing", "javascript:alert(1)", "vollständige Adresse"),
    ("topics", ",".join(f"T{n}" for n in range(11)), "Höchstens 10 Themen."),
    ("offers", "\n".join(f"O{n}" for n in range(6)), "Höchstens 5 Einträge."),
    ("industry", "astrology", "Bitte wählen Sie eine der Möglichkeiten."),
    ("headline", "x" * 121, "120"),
])
def test_profile_bad_input(app, client, make_user, field, value, message):
    user_id, _ = make_user()
    log_in(client, "mara@example.com")
    response = submit(client, "/people/me", {"profile_visibility": "members", field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user_id).headline == ""


def test_preview_queries_do_not_grow(app, world, count_queries):
    client = app.test_client()
    log_in(client, "member@example.com")
    page = f"/events/{world['event']}"
    with count_queries() as few:
        client.get(page)
    with app.app_context():
        group_id = db.session.scalar(select(Group.id).filter_by(slug=world["club"]))
        for number in range(300):
            user = User(email=f"x{number}@example.com", name=f"X {number}", password_hash="x",
                        topics=["Export", f"T{number}"], offers=["Beratung"],
                        needs=["Kapital"], industry="it")
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(group_id=group_id, user_id=user.id))
            db.session.add(RSVP(event_id=world["event"], user_id=user.id,
                                status=RSVPStatus.GOING))
        db.session.commit()
    with count_queries() as many:
        html = client.get(page).get_data(as_text=True)
    # The event page names a first page; the rest are on the attendee page.
    assert "X 0" in html and f"/events/{world['event']}/attendees" in html
    assert len(many) == len(few)
    pages = [client.get(f"{page}/attendees?page={n}").get_data(as_text=True)
             for n in range(1, 8)]
    assert sum("X 299<" in html for html in pages) == 1


def test_csv_and_badges_only_show_what_attendees_allow(app, world):
    ids = world["ids"]
    set_profile(app, ids["coattendee"], headline="Sichtbar", company="Co GmbH")
    set_profile(app, ids["olga"], profile_visibility=ProfileVisibility.ATTENDEES)
    organiser = app.test_client()
    log_in(organiser, "organiser@example.com")
    csv_text = organiser.get(f"/events/{world['event']}/attendees.csv").get_data(as_text=True)
    badges = organiser.get(f"/events/{world['event']}/badges").get_data(as_text=True)
    for output in (csv_text, badges):
        assert "Coattendee" in output and "Co GmbH" in output
        # Olga shows her profile only to people going to the same events.
        assert "Olga" not in output and SECRET not in output
    assert csv_text.startswith("\ufeffName;Firma;Position")
    assert badges.count('class="badge-card"') == 1 and "<svg" in badges
    # Hidden attendees are not printed either.
    with app.app_context():
        row = db.session.scalar(select(RSVP).filter_by(user_id=ids["coattendee"]))
        row.hidden = True
        db.session.commit()
    assert "Coattendee" not in organiser.get(f"/events/{world['event']}/badges").get_data(
        as_text=True)
    member = app.test_client()
    log_in(member, "member@example.com")
    assert member.get(f"/events/{world['event']}/attendees.csv").status_code == 403
    assert member.get(f"/events/{world['event']}/badges").status_code == 403


def jpeg_with_gps() -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", (900, 600), (180, 83, 9))
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 57.0, 36.0), 3: "E", 4: (7.0, 37.0, 48.0)})
    exif[0x010F] = "SecretCam"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def upload_photo(client, data, filename):
    import io

    return submit(client, "/people/me", {"profile_visibility": "members",
                                         "photo": (io.BytesIO(data), filename)},
                  content_type="multipart/form-data")


def test_photo_is_cleaned_resized_and_access_checked(app, world, tmp_path):
    import io

    from PIL import Image

    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    olga = app.test_client()
    log_in(olga, "olga@example.com")
    original = jpeg_with_gps()
    assert b"SecretCam" in original
    redirects_to(upload_photo(olga, original, "me.jpg"), f"/people/{world['ids']['olga']}")
    url = f"/people/{world['ids']['olga']}/photo"
    with olga.get(url) as response:
        data = response.get_data()
        assert response.status_code == 200 and "private" in response.headers["Cache-Control"]
    assert b"SecretCam" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert max(image.size) == 400 and not image.getexif()
    outsider = app.test_client()
    log_in(outsider, "outsider@example.com")
    with outsider.get(url) as response:
        assert response.status_code == 404
    member = app.test_client()
    log_in(member, "member@example.com")
    assert f'src="{url}"' in member.get(f"/events/{world['event']}").get_data(as_text=True)


@pytest.mark.parametrize(("data", "message"), [
    (b"GIF89a but really just text", "kein Bild, das wir lesen können"),
    (b"\x00" * 10, "kein Bild, das wir lesen können"),
])
def test_photo_refuses_what_is_not_an_image(app, world, tmp_path, data, message):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    olga = app.test_client()
    log_in(olga, "olga@example.com")
    response = upload_photo(olga, data, "photo.png")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world["ids"]["olga"]).photo is None


def test_oversized_photo_is_refused(app, world, tmp_path, monkeypatch):
    from meetup import images

    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    monkeypatch.setattr(images, "MAX_BYTES", 10_000)  # the same check, a smaller upload
    olga = app.test_client()
    log_in(olga, "olga@example.com")
    response = upload_photo(olga, jpeg_with_gps() + b"\x00" * 20_000, "big.jpg")
    assert response.status_code == 422
    assert "zu groß" in response.get_data(as_text=True)


@pytest.mark.parametrize(("visibility", "profile_shown"), [
    ("attendees", False), ("members", True), ("signed_in", True)])
@pytest.mark.parametrize("organiser", ["owner", "organiser"])
def test_member_management_follows_profile_visibility(app, world, visibility, profile_shown,
                                                      organiser):
    set_profile(app, world["ids"]["olga"], profile_visibility=ProfileVisibility(visibility))
    client = app.test_client()
    log_in(client, f"{organiser}@example.com")
    html = client.get(f"/groups/{world['club']}/manage/members").get_data(as_text=True)
    # Name, address and membership date are for administering, always shown.
    assert "Olga" in html and "olga@example.com" in html and "Mitglied seit" in html
    assert (SECRET in html) is profile_shown
    assert ("Olga GmbH" in html) is profile_shown
    assert (f"/people/{world['ids']['olga']}" in html) is profile_shown


def test_applications_follow_profile_visibility(app, world, make_user, make_group):
    applicant, _ = make_user("bewerber@example.com", name="Bert Bewerber")
    set_profile(app, applicant, headline=SECRET, profile_visibility=ProfileVisibility.MEMBERS)
    slug = make_group(world["ids"]["owner"], "Club C", join_policy="approval")
    bert = app.test_client()
    log_in(bert, "bewerber@example.com")
    redirects_to(submit(bert, f"/groups/{slug}/apply", {"message": "Gern dabei"},
                        page=f"/groups/{slug}"), f"/groups/{slug}")
    owner = app.test_client()
    log_in(owner, "owner@example.com")
    html = owner.get(f"/groups/{slug}/manage/applications").get_data(as_text=True)
    assert "Bert Bewerber" in html and "bewerber@example.com" in html
    assert SECRET not in html


def test_topic_suggestions_only_from_visible_profiles(app, world):
    set_profile(app, world["ids"]["olga"], topics=["Zz-Geheimthema"],
                profile_visibility=ProfileVisibility.ATTENDEES)
    set_profile(app, world["ids"]["member"], topics=["Zz-Offenes-Thema"],
                profile_visibility=ProfileVisibility.SIGNED_IN)
    seen = {}
    for name in ("outsider", "member", "coattendee"):
        client = app.test_client()
        log_in(client, f"{name}@example.com")
        seen[name] = client.get("/people/me").get_data(as_text=True)
    assert all("Zz-Offenes-Thema" in html for html in seen.values())
    assert "Zz-Geheimthema" not in seen["outsider"] and "Zz-Geheimthema" not in seen["member"]
    assert "Zz-Geheimthema" in seen["coattendee"]
