"""Benchmark: the introduction path search on a large web of contacts.

    .venv/bin/python bench/paths.py [--people 20000] [--contacts 200000] [--runs 40]
    DATABASE_URL=postgresql+psycopg://user@host/db .venv/bin/python bench/paths.py

Without DATABASE_URL a throwaway PostgreSQL server is started (as tests/pg.py
does). The script seeds, by bulk inserts (COPY for the large tables), 20 clubs
of 1,000 people each (everyone a member of their club, a fifth also of a
second one), 20,000 people with industries, topics and offers (2.5 % tax
advisors, 0.5 % offering customs law), and 200,000 confirmed contacts — four
in five inside the club, with one to three shared events each. Profiles are
visible to everyone signed in (70 %), to fellow members (25 %) or fellow
attendees (5 %); 3 % switched introductions off, 200 blocks.

Then ``paths.find`` runs for ``--runs`` searchers (chosen at random among people
with contacts) and four terms, once with two hops and once with three, after
one warm-up search. It records the time of each call and the SQL statements
each call ran, prints median and p99 per hop count and term, and writes the
JSON to bench/results/paths-<time>.json.
"""

import argparse
import contextlib
import io
import json
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, insert, select, text  # noqa: E402

from meetup import create_app  # noqa: E402
from meetup.extensions import db  # noqa: E402
from meetup.introductions import paths  # noqa: E402
from meetup.models import Event, Group, Membership, ProfileVisibility, User  # noqa: E402
from tests.pg import PostgresServer, find_bindir  # noqa: E402

TERMS = ("Steuerberatung", "Zollrecht", "Logistik", "Maschinenbau")
INDUSTRIES = ("Logistik", "Maschinenbau", "Marketing", "IT-Dienstleistungen", "Handwerk",
              "Immobilien", "Versicherungen", "Gastronomie", "Einzelhandel", "Architektur",
              "Personalberatung", "Rechtsberatung", "Druck und Medien", "Energie")
CLUB_SIZE = 1000
EVENTS_PER_CLUB = 12


@contextlib.contextmanager
def database():
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"], "postgresql (DATABASE_URL)"
        return
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL is not installed (apt-get install -y postgresql)")
    server = PostgresServer(bindir)
    try:
        server.start()
        server.execute("CREATE DATABASE bench")
        yield server.url("bench"), "postgresql (throwaway)"
    finally:
        server.stop()


def person(n: int, rng: random.Random) -> dict:
    roll = rng.random()
    industry = "Steuerberatung" if roll < 0.025 else rng.choice(INDUSTRIES)
    offers = ["Zollrecht", "Außenhandel"] if rng.random() < 0.005 else [f"Angebot {n % 97}"]
    visibility = rng.choices(list(ProfileVisibility), weights=(25, 5, 70))[0]
    return dict(email=f"p{n}@example.com", name=f"Person {n}", password_hash="x",
                industry=industry, company=f"Firma {n % 3000}", topics=[f"Thema {n % 50}"],
                offers=offers, profile_visibility=visibility,
                allow_introductions=rng.random() >= 0.03, session_token=f"t{n}")


def copy(table: str, columns: str, rows) -> None:
    """COPY rows (tuples) into ``table`` through the session's connection."""
    buffer = io.StringIO("".join("\t".join(map(str, row)) + "\n" for row in rows))
    raw = db.session.connection().connection.driver_connection
    with raw.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as stream:
        stream.write(buffer.getvalue())


def pairs(people: list[int], count: int, rng: random.Random) -> set[tuple[int, int]]:
    found, total = set(), len(people)
    while len(found) < count:
        a = rng.randrange(total)
        b = (a + rng.randint(1, CLUB_SIZE - 1)) % total if rng.random() < 0.8 \
            else rng.randrange(total)
        if a != b:
            found.add(tuple(sorted((people[a], people[b]))))
    return found


def seed(people_count: int, contact_count: int, rng: random.Random) -> None:
    clubs = max(1, people_count // CLUB_SIZE)
    db.session.execute(insert(Group), [dict(slug=f"club-{c}", name=f"Club {c}")
                                       for c in range(clubs)])
    group_ids = list(db.session.scalars(select(Group.id).order_by(Group.id)))
    db.session.execute(insert(User), [person(n, rng) for n in range(people_count)])
    people = list(db.session.scalars(select(User.id).order_by(User.id)))
    start = datetime.now(UTC) - timedelta(days=400)
    db.session.execute(insert(Event), [dict(
        group_id=group_id, title=f"Stammtisch {n}", starts_at=start + timedelta(days=30 * n),
        ends_at=start + timedelta(days=30 * n, hours=3), timezone="Europe/Berlin")
        for group_id in group_ids for n in range(EVENTS_PER_CLUB)])
    events = list(db.session.scalars(select(Event.id).order_by(Event.id)))
    members = {(group_ids[min(i // CLUB_SIZE, clubs - 1)], uid) for i, uid in enumerate(people)}
    members |= {(rng.choice(group_ids), uid) for uid in people if rng.random() < 0.2}
    now = datetime.now(UTC).isoformat()
    copy("membership", "group_id, user_id, role, title, created_at",
         ((g, u, "member", "", now) for g, u in members))
    contacts = sorted(pairs(people, contact_count, rng))
    copy("contact", "id, first_id, second_id, created_at",
         ((i + 1, a, b, now) for i, (a, b) in enumerate(contacts)))
    db.session.execute(text("SELECT setval('contact_id_seq', :n)"), {"n": len(contacts)})
    copy("contact_event", "contact_id, event_id, created_at",
         ((i + 1, e, now) for i in range(len(contacts))
          for e in rng.sample(events, rng.choice((1, 1, 2, 3)))))
    copy("block", "blocker_id, blocked_id, created_at",
         {(a, b, now) for a, b in (rng.sample(people, 2) for _ in range(200))})
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(searchers: list[User], hops: int) -> dict:
    statements: list[str] = []

    def record(conn, cursor, statement, *rest):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    result = {}
    for term in TERMS:
        times, counts, found = [], set(), []
        for me in searchers:
            before = len(statements)
            began = time.perf_counter()
            found.append(len(paths.find(me, term, hops=hops)))
            times.append((time.perf_counter() - began) * 1000)
            counts.add(len(statements) - before)
        result[term] = {"median_ms": round(statistics.median(times), 2),
                        "p99_ms": round(percentile(times, 0.99), 2),
                        "max_ms": round(max(times), 2), "statements": sorted(counts),
                        "paths_median": statistics.median(found), "runs": len(times)}
    event.remove(db.engine, "before_cursor_execute", record)
    return result


def run(args) -> dict:
    rng = random.Random(13)
    with database() as (uri, name):
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SITE_URL": "http://localhost",
                          "SQLALCHEMY_DATABASE_URI": uri})
        with app.app_context():
            upgrade()
            began = time.perf_counter()
            seed(args.people, args.contacts, rng)
            seeded = time.perf_counter() - began
            with_contacts = list(db.session.scalars(
                select(User).where(User.allow_introductions.is_(True),
                                   User.id.in_(select(Membership.user_id)))
                .order_by(User.id)))
            searchers = rng.sample(with_contacts, args.runs)
            paths.find(searchers[0], TERMS[0])  # warm-up
            report = {"database": name, "people": args.people, "contacts": args.contacts,
                      "seed_seconds": round(seeded, 1), "searchers": args.runs,
                      "two_hops": measure(searchers, 2), "three_hops": measure(searchers, 3),
                      "at": datetime.now(UTC).isoformat(timespec="seconds")}
            db.session.close()
            db.engine.dispose()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--contacts", type=int, default=200000)
    parser.add_argument("--runs", type=int, default=40)
    report = run(parser.parse_args())
    for hops in ("two_hops", "three_hops"):
        for term, numbers in report[hops].items():
            print(f"{hops:10} {term:15} median {numbers['median_ms']:8.2f} ms   "
                  f"p99 {numbers['p99_ms']:8.2f} ms   statements {numbers['statements']}   "
                  f"paths (median) {numbers['paths_median']}")
    folder = ROOT / "bench" / "results"
    folder.mkdir(exist_ok=True)
    out = folder / f"paths-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
