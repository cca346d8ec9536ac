from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import StatementError

from meetup.extensions import db
from meetup.models import User


def test_naive_datetime_is_refused(app, make_user):
    user_id, _ = make_user()
    with app.app_context():
        user = db.session.get(User, user_id)
        user.email_verified_at = datetime(2026, 3, 29, 19, 0)
        with pytest.raises(StatementError, match="naive"):
            db.session.flush()
        db.session.rollback()


def test_aware_datetime_round_trips_as_utc(app, make_user):
    user_id, _ = make_user()
    berlin = datetime(2026, 10, 25, 19, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    with app.app_context():
        db.session.get(User, user_id).email_verified_at = berlin
        db.session.commit()
    with app.app_context():
        stored = db.session.get(User, user_id).email_verified_at
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == berlin
    assert stored == datetime(2026, 10, 25, 18, 0, tzinfo=UTC)


def test_new_users_default_to_berlin_time_and_browser_language(app, make_user):
    user_id, _ = make_user()
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.timezone == "Europe/Berlin"
        assert user.locale is None
        assert user.created_at.tzinfo is not None
