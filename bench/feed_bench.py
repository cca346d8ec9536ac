"""Benchmark: a group calendar feed with 500 events, in-process (no HTTP server).

    .venv/bin/python bench/feed_bench.py            # SQLite in a temporary folder
    DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/feed_bench.py

Reports the median time and the statements of a request for the feed: built
cold (nothing kept), rebuilt from kept VEVENTs (the whole feed forgotten: what
a request costs after one event changed), served as kept, and a conditional
request answered 304; checks that the 304 wrote no VEVENT. bench/feeds.py
measures the same under gunicorn.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from meetup import create_app  # noqa: E402
from meetup.calendar import ical  # noqa: E402
from meetup.calendar.cache import LRU, caches  # noqa: E402
from meetup.extensions import db  # noqa: E402
from meetup.models import Event, Group, utcnow  # noqa: E402

EVENTS = 500
REPEAT = 20
URL = "/groups/bench-club/calendar.ics"


def seed(app) -> None:
    with app.app_context():
        upgrade()
        group = Group(slug="bench-club", name="Bench Club", city="Münster")
        db.session.add(group)
        db.session.flush()
        start = utcnow() + timedelta(days=1)
        db.session.execute(insert(Event), [dict(
            group_id=group.id, title=f"Stammtisch {n}", timezone="Europe/Berlin",
            description="Ein **Abend** mit Gesprächen, Bier und Brezeln.",
            venue_name="Stuhlmacher", venue_address="Prinzipalmarkt 6–7, 48143 Münster",
            starts_at=start + timedelta(days=n), ends_at=start + timedelta(days=n, hours=3))
            for n in range(EVENTS)])
        db.session.commit()


def forget(app, everything: bool) -> None:
    with app.app_context():
        store = caches()
        store.feeds = LRU(store.feeds.size)
        if everything:
            store.events = LRU(store.events.size)


def main() -> None:
    folder = tempfile.mkdtemp(prefix="feed-bench-")
    uri = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": uri})
    seed(app)
    with app.app_context():
        engine = db.engine
    statements = []
    sa_event.listen(engine, "before_cursor_execute",
                    lambda conn, cursor, sql, *args: statements.append(sql))
    written = []
    original = ical.vevent_bytes

    def counting(*args, **kwargs):
        written.append(1)
        return original(*args, **kwargs)

    ical.vevent_bytes = counting
    client = app.test_client()
    first = client.get(URL)
    assert first.status_code == 200 and first.data.count(b"BEGIN:VEVENT") == EVENTS
    etag = first.headers["ETag"]

    def measure(headers, forgotten=None):
        times, counts, statuses = [], set(), set()
        for _ in range(REPEAT):
            if forgotten is not None:
                forget(app, everything=forgotten)
            statements.clear()
            began = time.perf_counter()
            response = client.get(URL, headers=headers)
            times.append(time.perf_counter() - began)
            counts.add(len([sql for sql in statements if sql != "BEGIN"]))
            statuses.add(response.status_code)
            assert response.data == first.data or response.status_code == 304
        return statistics.median(times) * 1000, sorted(counts), sorted(statuses)

    print(f"database: {uri.split(':', 1)[0]}; feed with {EVENTS} events, "
          f"{len(first.data) / 1024:.0f} KiB; {REPEAT} requests each")
    for name, headers, forgotten in [("cold build", {}, True),
                                     ("from kept VEVENTs", {}, False),
                                     ("kept feed", {}, None),
                                     ("304 answer", {"If-None-Match": etag}, None)]:
        written.clear()
        ms, counts, statuses = measure(headers, forgotten)
        print(f"{name:18} median {ms:8.2f} ms, statements per request {counts}, "
              f"status {statuses}, VEVENTs written {len(written)}")
        if name == "304 answer" and (written or statuses != [304]):
            sys.exit("the conditional path wrote the calendar or did not answer 304")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
