"""The command line: users create, seed-demo."""

from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import (
    RSVP,
    Event,
    EventStatus,
    Group,
    Membership,
    RSVPStatus,
    User,
    Visibility,
    utcnow,
)
from tests.helpers import get_user, log_in, redirects_to


def counts(app) -> dict:
    with app.app_context():
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (User, Group, Membership, Event, RSVP)}


def test_users_create(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "Chair@Example.com", "--name",
                                 "Clara Vorsitz", "--password", "a-long-password", "--admin"])
    assert result.exit_code == 0, result.output
    user = get_user(app, "chair@example.com")
    assert user.is_admin and user.is_verified and user.name == "Clara Vorsitz"
    assert user.check_password("a-long-password")


def test_users_create_refuses_duplicates_and_short_passwords(app):
    runner = app.test_cli_runner()
    args = ["users", "create", "x@example.com", "--name", "X", "--password"]
    assert runner.invoke(args=[*args, "short"]).exit_code != 0
    assert runner.invoke(args=[*args, "long-enough-1"]).exit_code == 0
    result = runner.invoke(args=["users", "create", "X@EXAMPLE.com", "--name", "X",
                                 "--password", "long-enough-1"])
    assert result.exit_code != 0
    assert "exists already" in result.output
    assert counts(app)["User"] == 1


def test_seed_demo_is_realistic_and_idempotent(app, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    first = counts(app)
    assert first["User"] >= 40 and first["Group"] >= 3 and first["Event"] >= 12
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert counts(app) == first
    with app.app_context():
        cities = set(db.session.scalars(select(Group.city)))
        assert len(cities) >= 3
        now = utcnow()
        starts = db.session.scalars(select(Event.starts_at)).all()
        assert any(s < now for s in starts) and any(s > now for s in starts)
        assert db.session.scalar(select(func.count()).where(
            Group.visibility == Visibility.PRIVATE)) >= 1
        # Events: a monthly series, a full event with a waitlist, a cancelled one, and
        # past events with attendance.
        assert db.session.scalar(select(func.count(Event.id)).where(
            Event.series_id.is_not(None))) >= 6
        assert db.session.scalar(select(func.count(RSVP.id)).where(
            RSVP.status == RSVPStatus.WAITLIST)) >= 2
        assert db.session.scalar(select(func.count(Event.id)).where(
            Event.status == EventStatus.CANCELLED)) >= 1
        assert db.session.scalar(select(func.count(RSVP.checked_in_at)).join(RSVP.event).where(
            Event.ends_at < now)) >= 10
    # Demo members can log in with the documented password.
    redirects_to(log_in(client, "anna.schneider@example.com", "treffpunkt-demo"), "/")


def test_seed_if_empty_leaves_a_used_database_alone(app, make_user):
    make_user()
    result = app.test_cli_runner().invoke(args=["seed-if-empty"])
    assert result.exit_code == 0
    assert counts(app)["Group"] == 0
