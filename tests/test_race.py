"""No overbooking, ever: 50 people ask for the last 5 seats at once, over HTTP,
against two app processes (gunicorn workers) sharing one database — while two
other processes keep both CPU cores busy, as on a shared machine."""

import os
import re
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from email.message import Message
from http.cookiejar import CookieJar
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import select

from meetup.events.rsvp import waitlist_position
from meetup.extensions import db
from meetup.models import RSVP, Group, Membership, RSVPStatus, User, utcnow
from tests.helpers import PASSWORD, default_password_hash, redirects_to
from tests.pg import free_port

ROOT = Path(__file__).resolve().parent.parent
CROWD = 50


class Reply(NamedTuple):
    """What redirects_to needs of a response."""

    status_code: int
    headers: Message


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """A browser-like HTTP client with its own cookies."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect())

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> Reply:
        body = urllib.parse.urlencode(data).encode()
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                return Reply(response.status, response.headers)
        except urllib.error.HTTPError as error:  # a redirect, too: it is not followed
            return Reply(error.code, error.headers)

    def csrf(self, path: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', self.get(path)).group(1)

    def log_in(self, email: str) -> None:
        token = self.csrf("/auth/login")
        reply = self.post("/auth/login", {"csrf_token": token, "email": email,
                                          "password": PASSWORD})
        redirects_to(reply, "/")


@pytest.fixture
def busy_cpu():
    """Two processes that spin on the CPU while the test runs."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(os.cpu_count() or 2)]
    yield
    for spinner in spinners:
        spinner.kill()
        spinner.wait()


def run_together(count: int, work) -> None:
    """Start ``work(index)`` in ``count`` threads released at the same moment; fail
    with the workers' tracebacks if any of them raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index):
        try:
            barrier.wait(timeout=60)
            work(index)
        except BaseException as exc:  # noqa: BLE001 - reported below, with its traceback
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        pytest.fail(worker_report(errors, count), pytrace=False)


def worker_report(errors: list[BaseException], count: int) -> str:
    """Each distinct traceback once, with how many workers ended with it."""
    tracebacks = Counter("".join(traceback.format_exception(error)) for error in errors)
    parts = [f"{len(errors)} of {count} workers failed"]
    parts += [f"--- {times} worker(s):\n{text}" for text, times in tracebacks.most_common()]
    return "\n".join(parts)


@pytest.fixture
def server(database_uri, tmp_path, busy_cpu):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_uri, "MEETUP_SECRET_KEY": "race-test-key",
           "MEETUP_SITE_URL": f"http://127.0.0.1:{port}",
           "MEETUP_LOGIN_RATE_LIMIT": "10000 per minute"}
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--threads", "8",
         "--bind", f"127.0.0.1:{port}", "--no-control-socket", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/", timeout=2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail((tmp_path / "gunicorn.log").read_text())
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_fifty_people_for_five_seats(app, server, make_user, make_group, make_event):
    owner_id, _ = make_user("owner@example.com")
    slug = make_group(owner_id)
    event_id = make_event(slug, capacity=10)
    with app.app_context():
        group_id = db.session.scalar(select(Group.id).filter_by(slug=slug))
        people = []
        for number in range(5 + CROWD):
            user = User(email=f"p{number}@example.com", name=f"Person {number}",
                        password_hash=default_password_hash(), email_verified_at=utcnow())
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(group_id=group_id, user_id=user.id))
            if number < 5:  # five seats are already taken
                db.session.add(RSVP(event_id=event_id, user_id=user.id))
            people.append(user.email)
        db.session.commit()

    visitors = [Visitor(server) for _ in range(CROWD)]
    tokens = [None] * CROWD

    def prepare(index):
        visitors[index].log_in(people[5 + index])
        tokens[index] = visitors[index].csrf(f"/events/{event_id}")

    run_together(CROWD, prepare)
    assert all(tokens)

    replies = [None] * CROWD

    def rsvp(index):
        replies[index] = visitors[index].post(f"/events/{event_id}/rsvp",
                                              {"csrf_token": tokens[index], "answer": "yes"})

    run_together(CROWD, rsvp)
    for reply in replies:
        redirects_to(reply, f"/events/{event_id}")

    with app.app_context():
        rows = db.session.scalars(select(RSVP).where(RSVP.event_id == event_id)).all()
        going = [r for r in rows if r.status == RSVPStatus.GOING]
        waiting = [r for r in rows if r.status == RSVPStatus.WAITLIST]
        assert sum(r.seats for r in going) == 10
        assert len(waiting) == CROWD - 5
        positions = sorted(waitlist_position(r) for r in waiting)
        assert positions == list(range(1, CROWD - 5 + 1))
        order = sorted(waiting, key=lambda r: (r.waitlisted_at, r.id))
        by_email = {db.session.get(User, r.user_id).email: waitlist_position(r) for r in order}
        assert [waitlist_position(r) for r in order] == positions

    # Each person sees their own, distinct place.
    shown = {}
    for index, visitor in enumerate(visitors):
        html = visitor.get(f"/events/{event_id}")
        match = re.search(r"Warteliste, Platz (\d+)", html)
        if match:
            shown[people[5 + index]] = int(match.group(1))
        else:
            assert "Sie sind dabei" in html
    assert shown == by_email


def test_fifty_people_log_in_at_once(app, server, make_user):
    """The start of a club evening: everyone opens their ticket at the same moment."""
    with app.app_context():
        for number in range(CROWD):
            db.session.add(User(email=f"guest{number}@example.com", name=f"Guest {number}",
                                password_hash=default_password_hash()))
        db.session.commit()
    visitors = [Visitor(server) for _ in range(CROWD)]
    tokens = [visitor.csrf("/auth/login") for visitor in visitors]
    replies = [None] * CROWD

    def log_in(index):
        replies[index] = visitors[index].post("/auth/login", {
            "csrf_token": tokens[index], "email": f"guest{index}@example.com",
            "password": PASSWORD})

    run_together(CROWD, log_in)
    for reply in replies:
        redirects_to(reply, "/")
    assert all("Abmelden" in visitor.get("/") for visitor in visitors)
