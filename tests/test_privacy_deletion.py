"""Deleting an account: password, clubs to hand over, anonymous answers, restore, purge."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

import meetup
from meetup.extensions import db
from meetup.models import (
    RSVP,
    AccountDeletion,
    Base,
    ContactCard,
    MeetingMark,
    Membership,
    OutboxMessage,
    RSVPStatus,
    User,
    utcnow,
)
from tests.contacts_world import client_for, email, post, text
from tests.helpers import PASSWORD, csrf_token, log_in, redirects_to
from tests.privacy_world import build, mails_to
from tests.test_legal_pages import EN

NAME, ADDRESS = "anna schneider", "anna@example.com"


@pytest.fixture
def world(app, make_user, make_group, add_member, make_event):
    return build(app, make_user, make_group, add_member, make_event)


def delete(client, password=PASSWORD, headers=None):
    page = client.get("/account/data/delete", headers=headers).get_data(as_text=True)
    return client.post("/account/data/delete", headers=headers,
                       data={"csrf_token": csrf_token(page), "password": password})


def answers(app, event_id: int) -> dict:
    with app.app_context():
        rows = db.session.execute(select(RSVP.status, func.count()).where(
            RSVP.event_id == event_id).group_by(RSVP.status)).all()
        checked = db.session.scalar(select(func.count()).select_from(RSVP).where(
            RSVP.event_id == event_id, RSVP.checked_in_at.is_not(None)))
        return {**{str(status): count for status, count in rows}, "checked_in": checked}


def traces(app, *needles: str) -> list[str]:
    """Every value in every column of every table that mentions one of ``needles``
    (as a whole word: hanna@example.com is not anna@example.com)."""
    found = []
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            for row in db.session.execute(table.select()).mappings():
                for column, value in row.items():
                    text_value = value.decode("utf-8", "replace") if isinstance(
                        value, bytes) else str(value)
                    if any(re.search(rf"(?<![\w.+-]){re.escape(needle)}(?![\w-])",
                                     text_value, re.IGNORECASE) for needle in needles):
                        found.append(f"{table.name}.{column}: {text_value[:80]!r}")
    return found


def test_a_wrong_password_is_said_next_to_the_field(app, world):
    anna = client_for(app, "anna")
    response = delete(anna, "wrong password!")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="password-error"' in html and "Das ist nicht Ihr Passwort." in html
    english = delete(anna, "wrong password!", headers=EN).get_data(as_text=True)
    assert "This is not your password." in english
    assert text(anna, "/account/").count("anna@example.com") >= 1  # still logged in


def test_the_only_owner_of_a_club_is_asked_to_hand_it_over(app, world):
    olga = client_for(app, "olga")
    page = text(olga, "/account/data/delete")
    assert "Sie leiten einen Club allein." in page
    assert f'href="/groups/{world["club"]}/manage/members"' in page
    response = delete(olga)
    assert response.status_code == 409
    assert "Bitte übergeben Sie zuerst Ihre Clubs." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(AccountDeletion, world["ids"]["olga"]) is None
        assert db.session.get(User, world["ids"]["olga"]).name == "Olga Orga"


def test_deleting_keeps_the_counts_and_names_nobody(app, world):
    before = answers(app, world["event"]), answers(app, world["quiet"])
    anna = client_for(app, "anna")
    response = delete(anna)
    assert response.status_code == 200
    assert "Ihr Konto ist gelöscht" in response.get_data(as_text=True)
    assert (answers(app, world["event"]), answers(app, world["quiet"])) == before
    assert anna.get("/account/").status_code == 302  # logged out
    ids = world["ids"]
    with app.app_context():
        user = db.session.get(User, ids["anna"])
        assert (user.name, user.headline, user.topics, user.photo) == ("", "", [], None)
        assert user.email == f"deleted-{ids['anna']}@deleted.invalid"
        for model, column in ((ContactCard, ContactCard.other_id),
                              (ContactCard, ContactCard.owner_id),
                              (MeetingMark, MeetingMark.marked_id),
                              (Membership, Membership.user_id)):
            assert db.session.scalar(select(func.count()).select_from(model).where(
                column == ids["anna"])) == 0
        assert all(r.hidden for r in db.session.scalars(select(RSVP).filter_by(
            user_id=ids["anna"])))
    for viewer in ("olga", "ben"):
        page = text(client_for(app, viewer), f"/events/{world['event']}")
        assert "Anna" not in page
    assert "Anna" not in text(client_for(app, "ben"), "/contacts/")
    kinds = sorted((m.kind, str(m.state)) for m in mails_to(app, ADDRESS))
    assert kinds == [("account_deleted", "waiting"), ("reset_password", "sent")]


def test_the_last_mail_carries_a_restore_link(app, world):
    delete(client_for(app, "anna"))
    [last] = [m for m in mails_to(app, ADDRESS) if m.kind == "account_deleted"]
    assert last.subject == "Ihr Treffpunkt-Konto ist gelöscht"
    link = next(line for line in last.body_text.splitlines() if "/restore/" in line)
    client = app.test_client()
    path = link.strip().removeprefix("http://localhost")
    page = client.get(path).get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_token(page)})
    redirects_to(response, "/")
    assert "anna@example.com" in text(client, "/account/")


def test_logging_in_within_the_window_offers_the_restore(app, world):
    delete(client_for(app, "anna"))
    client = app.test_client()
    location = redirects_to_restore(log_in(client, ADDRESS))
    page = client.get(location).get_data(as_text=True)
    assert "Mein Konto wiederherstellen" in page
    redirects_to(client.post(location, data={"csrf_token": csrf_token(page)}), "/")
    with app.app_context():
        user = db.session.get(User, world["ids"]["anna"])
        assert (user.name, user.email) == ("Anna Schneider", ADDRESS)
        assert db.session.get(AccountDeletion, user.id) is None
    # The answers stay with the account, still unnamed until Anna lists herself again.
    assert answers(app, world["event"])["going"] == 5
    redirects_to(log_in(app.test_client(), ADDRESS), "/")


def redirects_to_restore(response) -> str:
    location = response.headers.get("Location", "")
    assert response.status_code == 302 and "/account/data/restore/" in location, location
    return location


def test_a_wrong_password_for_a_deleted_account_offers_nothing(app, world):
    delete(client_for(app, "anna"))
    response = log_in(app.test_client(), ADDRESS, "not the password")
    assert response.status_code == 422
    assert "E-Mail-Adresse oder Passwort" in response.get_data(as_text=True)


def expire_window(app, user_id: int) -> None:
    with app.app_context():
        db.session.get(AccountDeletion, user_id).restore_until = utcnow() - timedelta(seconds=1)
        db.session.commit()


def test_after_the_window_nothing_is_restored(app, world):
    delete(client_for(app, "anna"))
    [last] = [m for m in mails_to(app, ADDRESS) if m.kind == "account_deleted"]
    expire_window(app, world["ids"]["anna"])
    assert log_in(app.test_client(), ADDRESS).status_code == 422
    path = next(line for line in last.body_text.splitlines() if "/restore/" in line).strip()
    client = app.test_client()
    path = path.removeprefix("http://localhost")
    page = client.get(path).get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_token(page)})
    assert response.status_code == 410
    assert "nicht mehr wiederherstellen" in response.get_data(as_text=True)


def test_the_purge_leaves_the_name_and_address_nowhere(app, world):
    assert traces(app, NAME) and traces(app, ADDRESS)  # the search finds them before
    delete(client_for(app, "anna"))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["accounts", "purge"]).output == "Purged 0 deleted accounts.\n"
    expire_window(app, world["ids"]["anna"])
    assert runner.invoke(args=["accounts", "purge"]).output == "Purged 1 deleted account.\n"
    assert traces(app, NAME, ADDRESS) == []
    assert runner.invoke(args=["accounts", "purge"]).output == "Purged 0 deleted accounts.\n"
    assert answers(app, world["event"]) == {"going": 5, "waitlist": 1, "checked_in": 4}
    with app.app_context():
        deletion = db.session.get(AccountDeletion, world["ids"]["anna"])
        assert deletion.purged_at is not None and deletion.email is None
        # Ben's mail keeps its sense, without her.
        mail = db.session.scalar(select(OutboxMessage).filter_by(kind="test_about_anna"))
        assert "— (—) hat Sie erwähnt." in mail.body_text
    assert log_in(app.test_client(), ADDRESS).status_code == 422


def test_an_organiser_removes_a_membership_never_an_account(app, world):
    olga = client_for(app, "olga")
    with app.app_context():
        membership = db.session.scalar(select(Membership).filter_by(
            user_id=world["ids"]["anna"]))
        membership_id = membership.id
    page = f"/groups/{world['club']}/manage/members"
    response = post(olga, f"{page}/{membership_id}/remove", page=page)
    redirects_to(response, page)
    with app.app_context():
        assert db.session.get(Membership, membership_id) is None
        assert db.session.get(User, world["ids"]["anna"]).email == ADDRESS
    redirects_to(log_in(app.test_client(), email("anna")), "/")
    # Nothing in the app deletes or anonymises an account but the person's own request.
    root = Path(meetup.__file__).parent
    for source in root.rglob("*.py"):
        code = source.read_text()
        assert "delete(User" not in code, source
        if "AccountDeletion(" in code:
            assert source.relative_to(root).as_posix() in {
                "privacy/services.py", "models/privacy.py"}, source


def test_the_pages_in_english(app, world):
    anna = client_for(app, "anna")
    page = anna.get("/account/data/delete", headers=EN).get_data(as_text=True)
    assert "<h1>Delete my account</h1>" in page and "former member" in page
    assert "<h1>Mein Konto löschen</h1>" in text(anna, "/account/data/delete")
    assert RSVPStatus.GOING == "going"


def test_seats_at_coming_events_go_to_the_waitlist(app, world, make_event):
    coming = make_event(world["club"], title="Sommerfest", days=5, capacity=1)
    ids = world["ids"]
    with app.app_context():
        db.session.add(RSVP(event_id=coming, user_id=ids["anna"]))
        db.session.add(RSVP(event_id=coming, user_id=ids["cara"], status=RSVPStatus.WAITLIST,
                            waitlisted_at=utcnow()))
        db.session.commit()
    delete(client_for(app, "anna"))
    with app.app_context():
        status = dict(db.session.execute(select(RSVP.user_id, RSVP.status).where(
            RSVP.event_id == coming)).all())
    assert status == {ids["anna"]: RSVPStatus.NOT_GOING, ids["cara"]: RSVPStatus.GOING}
    assert [m.kind for m in mails_to(app, email("cara"))] == ["rsvp_promoted"]


def test_organisers_and_members_see_a_former_member_counted_not_named(app, world):
    """The answers of a deleted account stay in the counts as „ehemaliges Mitglied“,
    apart from the people who chose not to be listed, and never with a name."""
    olga, event = client_for(app, "olga"), world["event"]
    before = text(olga, f"/events/{event}/check-in")
    assert "ehemalig" not in before and "Anna Schneider" in before
    delete(client_for(app, "anna"))
    check_in = text(olga, f"/events/{event}/check-in")
    assert "1 ehemaliges Mitglied (Konto gelöscht) hat geantwortet." in check_in
    assert "Anna" not in check_in
    assert "4 von 5 sind da" in before and "4 von 5 sind da" in check_in
    assert "4 waren dabei" in text(client_for(app, "ben"), f"/events/{event}")
    english = client_for(app, "olga").get(f"/events/{event}/check-in", headers=EN)
    assert "1 former member (account deleted) answered." in english.get_data(as_text=True)
