"""After ``seed-demo`` the first notifications tick mails nothing about the demo
data (its events are announced, its full evening's organisers alerted, its due
follow-up reminded), while what people do after seeding is mailed as always. And
organiser alerts queued before their own record existed are not sent again."""

from datetime import timedelta

from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import Group, Membership, OrganiserAlert, OutboxMessage, Role, User, utcnow
from tests.factories import create_event
from tests.helpers import log_in, redirects_to
from tests.notify_world import tick
from tests.test_notifications import answer

MUENSTER = "unternehmerstammtisch-muenster"
DEMO_PASSWORD = "treffpunkt-demo"


def outbox(app, **where) -> list[tuple[str, str]]:
    with app.app_context():
        return db.session.execute(select(OutboxMessage.kind, OutboxMessage.recipient)
                                  .filter_by(**where).order_by(OutboxMessage.id)).all()


def members(app, slug: str, roles: tuple[Role, ...]) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(User.email).join(Membership, Membership.user_id == User.id)
            .join(Group, Group.id == Membership.group_id)
            .where(Group.slug == slug, Membership.role.in_(roles)).order_by(User.email)))


def test_the_first_ticks_after_seeding_mail_nothing_about_the_demo(demo_app):
    now = utcnow()
    for moment in (now, now + timedelta(hours=1)):
        result = tick(demo_app, moment)
        assert (result.reminders, result.still_coming, result.follow_ups, result.new_events,
                result.digests, result.summaries, result.organiser_alerts) == (0,) * 7
    assert outbox(demo_app) == []
    with demo_app.app_context():  # the demo's full evening: told, not forgotten
        assert db.session.scalar(select(func.count()).select_from(OrganiserAlert)) == 2
    result = demo_app.test_cli_runner().invoke(args=["seed-demo"])  # again: still quiet
    assert result.exit_code == 0, result.output
    assert tick(demo_app, now).new_events == 0 and outbox(demo_app) == []


def test_what_happens_after_seeding_is_mailed(demo_app):
    tick(demo_app, utcnow())
    event = create_event(demo_app, MUENSTER, title="Sommerfest am Aasee", days=10, capacity=1)
    person = next(email for email in members(demo_app, MUENSTER, (Role.MEMBER,))
                  if email != "anna.schneider@example.com")
    client = demo_app.test_client()
    redirects_to(log_in(client, person, DEMO_PASSWORD), "/")
    redirects_to(answer(client, event), f"/events/{event}")
    assert [recipient for _kind, recipient in outbox(demo_app, subject_key=f"event:{event}")
            ] == [person]  # the confirmation
    result = tick(demo_app, utcnow())
    everyone = members(demo_app, MUENSTER, tuple(Role))
    organisers = members(demo_app, MUENSTER, (Role.OWNER, Role.ORGANISER))
    assert result.new_events == len(everyone) and result.organiser_alerts == len(organisers)
    mails = outbox(demo_app, subject_key=f"event:{event}")
    assert sorted(r for kind, r in mails if kind == "new_event") == everyone
    assert sorted(r for kind, r in mails if kind == "event_full") == organisers
    assert tick(demo_app, utcnow()).organiser_alerts == 0


def test_alerts_queued_before_the_upgrade_are_not_sent_again(app, club, make_user,
                                                             add_member, make_event):
    slug, _owner = club
    event = make_event(slug, capacity=1)
    client = app.test_client()
    add_member(slug, make_user("anna@example.com", name="Anna")[0])
    log_in(client, "anna@example.com")
    answer(client, event)
    assert tick(app, utcnow()).organiser_alerts == 1
    runner = app.test_cli_runner()
    with app.app_context():  # back to when the outbox's rows were the only record
        assert runner.invoke(args=["db", "downgrade", "c3d8e5a1f702"]).exit_code == 0
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert db.session.execute(select(OrganiserAlert.event_id, OrganiserAlert.kind)
                                  ).all() == [(event, "event_full")]
        db.session.rollback()
    assert tick(app, utcnow()).organiser_alerts == 0
    assert len(outbox(app, kind="event_full")) == 1
