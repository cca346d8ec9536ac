"""The audit trail: organiser actions recorded with who, what, when, before → after,
in the change's own transaction; shown to owners only; downloadable; purged."""

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from meetup import audit
from meetup.audit import Act
from meetup.database import transaction
from meetup.errors import RuleError
from meetup.events import rsvp, services
from meetup.extensions import db
from meetup.models import RSVP, Application, AuditEntry, Ban, Event, Group, User, utcnow
from tests.helpers import log_in, submit


def entries(app, slug=None):
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        if slug:
            query = query.join(Group).where(Group.slug == slug)
        return [(e.action, e.actor_id, e.person_id, e.before, e.after)
                for e in db.session.scalars(query)]


@pytest.fixture
def world(app, make_user, make_group, add_member, make_event):
    owner_id, _ = make_user("owner@example.com", name="Olga Owner")
    slug = make_group(owner_id)
    organiser_id, _ = make_user("orga@example.com", name="Otto Orga")
    add_member(slug, organiser_id, role="organiser")
    member_id, _ = make_user("mara@example.com")
    membership = add_member(slug, member_id)
    event_id = make_event(slug, capacity=10)
    return {"slug": slug, "owner": owner_id, "organiser": organiser_id, "member": member_id,
            "membership": membership, "event": event_id}


def test_member_actions_are_recorded_with_before_and_after(app, client, world):
    slug, membership = world["slug"], world["membership"]
    log_in(client, "owner@example.com")
    page = f"/groups/{slug}/manage/members"
    submit(client, f"{page}/{membership}/title", {"title": "Kassiererin"}, page=page)
    submit(client, f"{page}/{membership}/role", {"role": "organiser"}, page=page)
    submit(client, f"{page}/{membership}/transfer", {}, page=page)
    assert entries(app) == [
        ("member.title", world["owner"], world["member"], {"title": ""},
         {"title": "Kassiererin"}),
        ("member.role", world["owner"], world["member"], {"role": "member"},
         {"role": "organiser"}),
        ("group.transfer", world["owner"], world["member"],
         {"role": "organiser", "previous_owner_role": "owner"},
         {"role": "owner", "previous_owner_role": "organiser"}),
    ]


def test_remove_ban_and_lift_are_recorded(app, client, world):
    slug = world["slug"]
    log_in(client, "orga@example.com")
    page = f"/groups/{slug}/manage/members"
    submit(client, f"{page}/{world['membership']}/ban", {}, page=page)
    with app.app_context():
        ban_id = db.session.scalar(select(Ban.id))
    submit(client, f"/groups/{slug}/manage/bans/{ban_id}/lift", {}, page=page)
    actions = entries(app)
    assert [a[:3] for a in actions] == [
        ("member.ban", world["organiser"], world["member"]),
        ("member.unban", world["organiser"], world["member"])]
    assert actions[0][3] == {"role": "member", "title": ""}
    assert actions[0][4] == {"member": False, "banned": True}


def test_application_decisions_are_recorded(app, client, make_user, make_group):
    owner_id, _ = make_user("owner@example.com")
    slug = make_group(owner_id, name="Club Mit Antrag", join_policy="approval")
    applicant_id, _ = make_user("anna@example.com", name="Anna Antrag")
    applicant = app.test_client()
    log_in(applicant, "anna@example.com")
    submit(applicant, f"/groups/{slug}/apply", {"message": "Ich möchte gern dabei sein."})
    log_in(client, "owner@example.com")
    with app.app_context():
        application_id = db.session.scalar(select(Application.id))
    page = f"/groups/{slug}/manage/applications"
    submit(client, f"{page}/{application_id}/approve", {}, page=page)
    assert entries(app) == [("application.approve", owner_id, applicant_id,
                             {"status": "pending"}, {"status": "approved"})]


def test_event_edit_cancel_attendees_and_check_in_are_recorded(app, client, world):
    event_id, member = world["event"], world["member"]
    log_in(client, "orga@example.com")
    check_in = f"/events/{event_id}/check-in"
    submit(client, f"/events/{event_id}/attendees/{member}/going", {}, page=check_in)
    submit(client, f"/events/{event_id}/check-in/{member}", {}, page=check_in)
    submit(client, f"/events/{event_id}/check-in/{member}/undo", {}, page=check_in)
    page = f"/events/{event_id}"
    submit(client, f"{page}/cancel", {"reason": "Der Saal ist überflutet."}, page=page)
    actions = entries(app)
    assert [a[:3] for a in actions] == [
        ("attendee.set", world["organiser"], member),
        ("check_in.add", world["organiser"], member),
        ("check_in.undo", world["organiser"], member),
        ("event.cancel", world["organiser"], None)]
    assert actions[0][3:] == ({"status": "not_going", "event_id": event_id},
                              {"status": "going", "event_id": event_id})
    assert actions[3][3]["status"] == "published"
    assert actions[3][4]["status"] == "cancelled"
    assert actions[3][4]["cancel_reason"] == "Der Saal ist überflutet."


def test_event_edit_records_only_what_changed(app, world):
    with app.test_request_context(), transaction():
        event = rsvp.lock_event(world["event"])
        local = {name: getattr(event, name).astimezone(event.zone).replace(tzinfo=None)
                 for name in ("starts_at", "ends_at")}
        schedule = services.Schedule(start=local["starts_at"] + timedelta(hours=1),
                                     end=local["ends_at"], timezone=event.timezone)
        values = {name: getattr(event, name) for name in services.EDITABLE}
        services.update(event, values | {"title": "Stammtisch im Rathauskeller"}, schedule,
                        actor=db.session.get(User, world["owner"]))
        starts = event.starts_at
    (action, actor, person, before, after), = entries(app)
    assert (action, actor, person) == ("event.edit", world["owner"], None)
    assert set(before) == set(after) == {"title", "starts_at"}
    assert before["title"] == "Stammtisch" and after["title"] == "Stammtisch im Rathauskeller"
    assert after["starts_at"] == starts.isoformat()


def test_a_refused_change_leaves_no_entry(app, world):
    """Written in the change's transaction: a rollback takes the entry back too."""
    with app.test_request_context(), pytest.raises(RuleError), transaction():
        event = rsvp.lock_event(world["event"])
        event.capacity = 0
        organiser = db.session.get(User, world["organiser"])
        member = db.session.get(User, world["member"])
        rsvp.organiser_set(event, member, rsvp.RSVPStatus.WAITLIST, actor=organiser)
        assert db.session.scalar(select(db.func.count(AuditEntry.id))) == 1
        raise RuleError("nein")
    assert entries(app) == []


def test_trail_is_for_owners_with_paging_and_downloads(app, client, world):
    slug = world["slug"]
    with app.app_context(), transaction():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        owner = db.session.get(User, world["owner"])
        for number in range(55):
            audit.record(group, owner, Act.TITLE, None, {"title": f"a{number}"},
                         {"title": f"<script>alert({number})</script>"})
    organiser = app.test_client()
    log_in(organiser, "orga@example.com")
    for path in ("", ".csv", ".json"):
        assert organiser.get(f"/groups/{slug}/manage/audit{path}").status_code == 403
    assert "/manage/audit" not in organiser.get(
        f"/groups/{slug}/manage/members").get_data(as_text=True)
    log_in(client, "owner@example.com")
    members = client.get(f"/groups/{slug}/manage/members").get_data(as_text=True)
    assert f'href="/groups/{slug}/manage/audit"' in members
    first = client.get(f"/groups/{slug}/manage/audit").get_data(as_text=True)
    assert "Olga Owner" in first and "Titel geändert" in first
    assert "<script>alert(54)" not in first and "&lt;script&gt;alert(54)" in first
    assert "alert(4)<" not in first and "alert(4)&lt;" not in first  # on page 2
    second = client.get(f"/groups/{slug}/manage/audit?page=2").get_data(as_text=True)
    assert "alert(4)&lt;" in second
    rows = list(csv.reader(io.StringIO(client.get(
        f"/groups/{slug}/manage/audit.csv").get_data(as_text=True).lstrip("\ufeff")),
        delimiter=";"))
    assert len(rows) == 56 and rows[1][2] == "Olga Owner"
    data = json.loads(client.get(f"/groups/{slug}/manage/audit.json").get_data(as_text=True))
    assert len(data["entries"]) == 55 and data["entries"][0]["action"] == "member.title"


def test_purge_keeps_the_configured_period(app, world):
    app.config["AUDIT_RETENTION_DAYS"] = 30
    with app.app_context(), transaction():
        group = db.session.scalar(select(Group).filter_by(slug=world["slug"]))
        old = audit.record(group, None, Act.ANNOUNCEMENT)
        old.created_at = utcnow() - timedelta(days=31)
        audit.record(group, None, Act.ANNOUNCEMENT).created_at = utcnow() - timedelta(days=29)
    result = app.test_cli_runner().invoke(args=["audit", "purge"])
    assert result.exit_code == 0 and "1 entries" in result.output
    assert len(entries(app)) == 1


def test_deleted_people_leave_no_name_in_the_trail(app, client, world):
    log_in(client, "owner@example.com")
    page = f"/groups/{world['slug']}/manage/members"
    submit(client, f"{page}/{world['membership']}/remove", {}, page=page)
    client.get(page)  # shows (and so ends) the confirmation naming her
    with app.app_context():
        db.session.execute(db.delete(RSVP).where(RSVP.user_id == world["member"]))
        db.session.delete(db.session.get(User, world["member"]))
        db.session.commit()
        entry = db.session.scalar(select(AuditEntry))
        assert entry.person_id is None and "Mara" not in json.dumps([entry.before, entry.after])
        assert db.session.get(Event, world["event"]) is not None
    html = client.get(f"/groups/{world['slug']}/manage/audit").get_data(as_text=True)
    assert "ehemaliges Mitglied" in html and "Mara" not in html
