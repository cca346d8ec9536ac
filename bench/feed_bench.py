"""Benchmark: a group calendar feed with 500 events, in-process.

    .venv/bin/python bench/feed_bench.py            # SQLite in a temporary folder
    DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/feed_bench.py

Reports the median time of a full build and of a conditional request
answered 304, each over REPEAT requests, the queries of each, and checks that
the 304 path does not build the calendar.
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

from meetup import create_app  # noqa: E402
from meetup.calendar import ical  # noqa: E402
from meetup.extensions import db  # noqa: E402
from meetup.models import Event, Group, utcnow  # noqa: E402

EVENTS = 500
REPEAT = 50


def main() -> None:
    folder = tempfile.mkdtemp(prefix="feed-bench-")
    uri = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        upgrade()
        group = Group(slug="bench-club", name="Bench Club", city="Münster")
        db.session.add(group)
        db.session.flush()
        start = utcnow() + timedelta(days=1)
        db.session.add_all([Event(
            group_id=group.id, title=f"Stammtisch {n}", timezone="Europe/Berlin",
            description="Ein **Abend** mit Gesprächen, Bier und Brezeln.",
            venue_name="Stuhlmacher", venue_address="Prinzipalmarkt 6–7, 48143 Münster",
            starts_at=start + timedelta(days=n), ends_at=start + timedelta(days=n, hours=3))
            for n in range(EVENTS)])
        db.session.commit()
        engine = db.engine

    queries = []
    sa_event.listen(engine, "before_cursor_execute", lambda *args: queries.append(1))
    builds = []
    original = ical.build

    def counting_build(*args, **kwargs):
        builds.append(1)
        return original(*args, **kwargs)

    ical.build = counting_build
    from meetup.calendar import views

    views.ical.build = counting_build
    client = app.test_client()
    url = "/groups/bench-club/calendar.ics"
    first = client.get(url)
    assert first.status_code == 200 and first.data.count(b"BEGIN:VEVENT") == EVENTS
    etag = first.headers["ETag"]

    def measure(headers):
        times, counts, statuses = [], [], set()
        for _ in range(REPEAT):
            queries.clear()
            began = time.perf_counter()
            response = client.get(url, headers=headers)
            times.append(time.perf_counter() - began)
            counts.append(len(queries))
            statuses.add(response.status_code)
        return statistics.median(times) * 1000, set(counts), statuses

    builds.clear()
    full_ms, full_queries, full_status = measure({})
    full_builds = len(builds)
    builds.clear()
    cond_ms, cond_queries, cond_status = measure({"If-None-Match": etag})
    print(f"database: {engine_name(uri)}; feed with {EVENTS} events, "
          f"{len(first.data) / 1024:.0f} KiB; {REPEAT} requests each")
    print(f"full build:  median {full_ms:7.1f} ms, queries per request {sorted(full_queries)}, "
          f"status {sorted(full_status)}, calendars built {full_builds}")
    print(f"304 answer:  median {cond_ms:7.1f} ms, queries per request {sorted(cond_queries)}, "
          f"status {sorted(cond_status)}, calendars built {len(builds)}")
    if len(builds) or cond_status != {304}:
        sys.exit("the conditional path built the calendar or did not answer 304")
    with app.app_context():
        db.engine.dispose()


def engine_name(uri: str) -> str:
    return uri.split(":", 1)[0]


if __name__ == "__main__":
    main()
