"""Benchmark: the event page with its attendee preview and "people to meet"
for an event with 300 attendees with full profiles, in-process.

    .venv/bin/python bench/preview_bench.py
    DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/preview_bench.py

Reports the median server time and the queries per request over REPEAT
requests, as a member who is going.
"""

import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from meetup import create_app  # noqa: E402
from meetup.extensions import db  # noqa: E402
from meetup.models import RSVP, Event, Group, Membership, User, utcnow  # noqa: E402

ATTENDEES = 300
REPEAT = 50
TOPICS = ["Export", "Digitalisierung", "Nachfolge", "KI", "Fachkräfte", "Finanzierung",
          "Nachhaltigkeit", "Marketing", "IT-Sicherheit", "Immobilien", "Logistik", "Recht"]
SERVICES = ["Steuerberatung", "Rechtsberatung", "Kapital", "Fachkräfte", "Exportkontakte",
            "IT-Sicherheit", "Gewerbeflächen", "Marketing", "Nachfolgeberatung", "Recruiting"]
INDUSTRIES = ["tax", "law", "it", "finance", "manufacturing", "marketing", "hr", "logistics"]


def populate() -> int:
    chance = random.Random(7)
    group = Group(slug="bench-club", name="Bench Club", city="Münster")
    db.session.add(group)
    db.session.flush()
    start = utcnow() + timedelta(days=3)
    event = Event(group_id=group.id, title="Stammtisch", timezone="Europe/Berlin",
                  starts_at=start, ends_at=start + timedelta(hours=3), venue_name="Stuhlmacher")
    db.session.add(event)
    password = generate_password_hash("bench-password", method="scrypt")
    for number in range(ATTENDEES):
        user = User(email=f"p{number}@example.com", name=f"Person {number:03d}",
                    password_hash=password, company=f"Firma {number}", position="Inhaber",
                    headline="Unternehmerin aus dem Münsterland", city="Münster",
                    industry=chance.choice(INDUSTRIES), topics=chance.sample(TOPICS, 5),
                    offers=chance.sample(SERVICES, 3), needs=chance.sample(SERVICES, 3))
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(group_id=group.id, user_id=user.id))
        db.session.add(RSVP(event_id=event.id, user_id=user.id))
    db.session.commit()
    return event.id


def main() -> None:
    folder = tempfile.mkdtemp(prefix="preview-bench-")
    uri = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": uri,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        event_id = populate()
        engine = db.engine
    client = app.test_client()
    client.post("/auth/login", data={"email": "p0@example.com", "password": "bench-password"})
    queries = []
    sa_event.listen(engine, "before_cursor_execute", lambda *args: queries.append(1))
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Person 299" in page and 'id="meet-heading"' in page
    times, counts = [], set()
    for _ in range(REPEAT):
        queries.clear()
        began = time.perf_counter()
        response = client.get(f"/events/{event_id}")
        times.append(time.perf_counter() - began)
        counts.add(len(queries))
        assert response.status_code == 200
    listed = len(re.findall(r'class="person-name"', page))
    print(f"database: {uri.split(':', 1)[0]}; event with {ATTENDEES} attendees, {listed} listed; "
          f"{REPEAT} requests")
    median = statistics.median(times) * 1000
    print(f"event page with preview and people to meet: median {median:.1f} ms, "
          f"queries per request {sorted(counts)}")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
