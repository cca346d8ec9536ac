"""Two instances of `make serve` (gunicorn, two workers each, on different ports) on
one PostgreSQL and one Redis, as two hosts behind a load balancer: an RSVP race
spread over both never overbooks, the per-address login limit counts across both,
and a session started on one works on the other."""

import os
import signal
import subprocess
import time
import urllib.request
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import RSVP, Group, Membership, RSVPStatus, User, utcnow
from tests.helpers import default_password_hash, redirects_to
from tests.pg import free_port
from tests.test_race import ROOT, Visitor, run_together

CROWD = 30
SEATS = 5
# Counted by .ci/run as a PostgreSQL test: it runs only there (the id says so).
on_postgresql = pytest.mark.parametrize("database_uri", ["postgresql"], indirect=True)


def start(database_uri: str, redis_url: str, log_path, settings: dict):
    """``make serve`` on a free port, in a process group of its own."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_uri, "MEETUP_SECRET_KEY": "two-instances",
           "MEETUP_SITE_URL": "http://127.0.0.1", "MEETUP_REDIS_URL": redis_url,
           **{f"MEETUP_{key}": value for key, value in settings.items()}}
    with open(log_path, "w") as log:
        process = subprocess.Popen(["make", "--no-print-directory", "serve", f"PORT={port}",
                                    "WORKERS=2"], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    return process, f"http://127.0.0.1:{port}"


def wait_until_ready(base: str, process, log_path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{base} did not get ready:\n{log_path.read_text()}")


@contextmanager
def two_instances(database_uri, redis_url, tmp_path, **settings):
    """Two instances, started side by side; yields their base URLs."""
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    started = [start(database_uri, redis_url, log, settings) for log in logs]
    try:
        for (process, base), log in zip(started, logs, strict=True):
            wait_until_ready(base, process, log)
        yield [base for _process, base in started]
    finally:
        for process, _base in started:
            os.killpg(process.pid, signal.SIGTERM)
        for process, _base in started:
            process.wait(timeout=30)


def members(app, slug: str, count: int) -> list[str]:
    with app.app_context():
        group_id = db.session.scalar(select(Group.id).filter_by(slug=slug))
        emails = [f"m{number}@example.com" for number in range(count)]
        for email in emails:
            user = User(email=email, name=email.split("@")[0],
                        password_hash=default_password_hash(), email_verified_at=utcnow())
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(group_id=group_id, user_id=user.id))
        db.session.commit()
    return emails


@on_postgresql
def test_an_rsvp_race_over_two_instances_never_overbooks(
        app, database_uri, redis_url, tmp_path, make_user, make_group, make_event):
    owner, _ = make_user("owner@example.com")
    slug = make_group(owner)
    event_id = make_event(slug, capacity=SEATS)
    people = members(app, slug, CROWD)
    with two_instances(database_uri, redis_url, tmp_path,
                       LOGIN_RATE_LIMIT="10000 per minute") as bases:
        visitors = [Visitor(bases[index % 2]) for index in range(CROWD)]
        tokens = [None] * CROWD

        def prepare(index):
            visitors[index].log_in(people[index])
            tokens[index] = visitors[index].csrf(f"/events/{event_id}")

        run_together(CROWD, prepare)
        replies = [None] * CROWD

        def rsvp(index):
            replies[index] = visitors[index].post(
                f"/events/{event_id}/rsvp", {"csrf_token": tokens[index], "answer": "yes"})

        run_together(CROWD, rsvp)
    for reply in replies:
        redirects_to(reply, f"/events/{event_id}")
    with app.app_context():
        rows = db.session.scalars(select(RSVP).where(RSVP.event_id == event_id)).all()
        going = [row for row in rows if row.status == RSVPStatus.GOING]
        waiting = [row for row in rows if row.status == RSVPStatus.WAITLIST]
    assert sum(row.seats for row in going) == SEATS
    assert len(waiting) == CROWD - SEATS


@on_postgresql
def test_the_login_limit_per_address_counts_across_both_instances(
        database_uri, redis_url, tmp_path):
    with two_instances(database_uri, redis_url, tmp_path,
                       LOGIN_RATE_LIMIT="6 per minute") as bases:
        visitors = [Visitor(base) for base in bases]
        tokens = [visitor.csrf("/auth/login") for visitor in visitors]

        def attempt(number: int) -> int:
            return visitors[number % 2].post("/auth/login", {
                "csrf_token": tokens[number % 2], "email": f"guess{number}@example.com",
                "password": "wrong password!"}).status_code

        assert [attempt(number) for number in range(6)] == [422] * 6
        assert [attempt(number) for number in range(6, 8)] == [429, 429]


@on_postgresql
def test_a_session_started_on_one_instance_works_on_the_other(
        app, database_uri, redis_url, tmp_path, make_user, make_group, make_event):
    owner, _ = make_user("owner@example.com")
    slug = make_group(owner)
    event_id = make_event(slug)
    (email,) = members(app, slug, 1)
    with two_instances(database_uri, redis_url, tmp_path) as (first, second):
        visitor = Visitor(first)
        visitor.log_in(email)
        token = visitor.csrf(f"/events/{event_id}")
        visitor.base = second  # the cookie is for 127.0.0.1, whichever port
        assert "Abmelden" in visitor.get("/")
        reply = visitor.post(f"/events/{event_id}/rsvp", {"csrf_token": token, "answer": "yes"})
        redirects_to(reply, f"/events/{event_id}")
        assert "Sie sind dabei" in visitor.get(f"/events/{event_id}")
    with app.app_context():
        user_id = db.session.scalar(select(User.id).filter_by(email=email))
        rsvp = db.session.scalar(select(RSVP).filter_by(event_id=event_id, user_id=user_id))
        assert rsvp.status == RSVPStatus.GOING
