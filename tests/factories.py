"""Factories as fixtures: each returns a function that writes one thing to the test's
database and returns how to find it (an id or a slug). Registered by tests/conftest.py."""

import functools
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from meetup.auth import services
from meetup.extensions import db
from meetup.groups import services as group_services
from meetup.models import (
    Event,
    EventVisibility,
    Group,
    JoinPolicy,
    Membership,
    Role,
    User,
    Visibility,
    hash_password,
    normalise_email,
    utcnow,
)
from tests.helpers import PASSWORD, default_password_hash


@pytest.fixture
def make_user(app):
    """Factory: a verified (or not) account; returns its id and email."""

    def make(email="mara@example.com", name="Mara Beispiel", password=PASSWORD,
             verified=True, locale=None) -> tuple[int, str]:
        with app.app_context():
            if password == PASSWORD:
                user = User(email=normalise_email(email), name=name, locale=locale,
                            password_hash=default_password_hash())
                db.session.add(user)
            else:
                user = services.create_user(email, name, hash_password(password), locale=locale)
            if verified:
                user.email_verified_at = utcnow()
            db.session.commit()
            return user.id, user.email

    return make


@pytest.fixture
def make_group(app):
    """Factory: a group owned by ``owner_id``; returns its slug."""

    def make(owner_id, name="Unternehmerclub Münster", visibility="public", join_policy="open",
             city="Münster") -> str:
        with app.app_context():
            owner = db.session.get(User, owner_id)
            group = group_services.create_group(
                owner, slug=group_services.slugify(name), name=name, city=city,
                visibility=Visibility(visibility), join_policy=JoinPolicy(join_policy))
            db.session.commit()
            return group.slug

    return make


@pytest.fixture
def add_member(app):
    """Factory: put a user into a group with a role; returns the membership id."""

    def add(slug, user_id, role="member", title="") -> int:
        with app.app_context():
            group = db.session.scalar(db.select(Group).filter_by(slug=slug))
            membership = Membership(group_id=group.id, user_id=user_id, role=Role(role),
                                    title=title)
            db.session.add(membership)
            db.session.commit()
            return membership.id

    return add


@pytest.fixture
def club(make_user, make_group):
    """The Unternehmerclub Münster and its owner: (slug, owner id)."""
    owner_id, _ = make_user("owner@example.com")
    return make_group(owner_id), owner_id


def create_event(app: Flask, slug: str, title="Stammtisch", starts: datetime | None = None, *,
                 days=7, hours=3, zone="Europe/Berlin", visibility="public", **values) -> int:
    """A published event of the group ``slug``; returns its id.

    It starts at ``starts`` (a wall-clock time in ``zone``) or, without it, in
    ``days`` days at 19:00 there, and lasts ``hours``. Any other column is a keyword.
    Tests take the ``make_event`` fixture; this is for an app of their own."""
    tz = ZoneInfo(zone)
    if starts is None:
        starts = datetime.combine(datetime.now(tz).date() + timedelta(days=days), time(19))
    columns = {"venue_name": "Rathaus", "venue_address": "Prinzipalmarkt 10, 48143 Münster",
               **values}
    with app.app_context():
        group = db.session.scalar(db.select(Group).filter_by(slug=slug))
        event = Event(group_id=group.id, title=title, starts_at=starts.replace(tzinfo=tz),
                      ends_at=(starts + timedelta(hours=hours)).replace(tzinfo=tz),
                      timezone=zone, visibility=EventVisibility(visibility), **columns)
        db.session.add(event)
        db.session.commit()
        return event.id


@pytest.fixture
def make_event(app):
    """Factory: ``make_event(slug, title, starts, days=, hours=, zone=, **columns)``, an
    event of the group ``slug`` (see create_event); returns its id."""
    return functools.partial(create_event, app)
