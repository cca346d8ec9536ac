"""Benchmark at scale: the busiest pages and feeds under gunicorn on a large
PostgreSQL database, as ratios to a Flask hello-world served the same way.

    .venv/bin/python bench/scale.py [--label run] [--duration 10] [--compare-small]

Starts a throwaway PostgreSQL server (or uses DATABASE_URL, which must be an
empty database) and seeds it with COPY: 20,000 people with full profiles, 200
clubs (the first with 500 events), 10,000 events, 300,000 RSVPs, and one evening
with 500 attendees, all members of its club with full profiles. Mara
(mara@example.com) is one of them, and signs in through the real login form;
her session cookie is sent with the signed-in cases. gunicorn (2 sync workers,
``--no-control-socket``) serves the app and bench/hello.py in turn; wrk (8
connections, 2 threads, 10 s after a 2 s warm-up) measures each case. Prints
req/s, p50, p99 and the share of the hello-world's req/s (mean of the runs
before and after), and writes the table as JSON into bench/results/.

``--compare-small`` checks the product's promise that no page gets slower than
twice its small-data time: afterwards a second, fresh database on the same server
is seeded small (600 people, 10 clubs, 100 events with 50 in the first club, 3,000
RSVPs, the big evening with 50 attendees) and served and signed into the same way;
only the page cases are measured there, with the same wrk settings. A second table
gives full p50 / small p50 per page (✓ up to 2.0), the JSON a "small" section.
The feeds are left out: their output grows with their events by design.
"""

import argparse
import http.cookiejar
import io
import json
import random
import re
import secrets
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, make_url, text  # noqa: E402

from bench.feeds import SECRET, Gunicorn, database, fetch, wrk  # noqa: E402
from meetup import create_app  # noqa: E402
from meetup.calendar.feeds import token_hash  # noqa: E402
from meetup.extensions import db  # noqa: E402
from meetup.models import hash_password  # noqa: E402


@dataclass(frozen=True)
class Sizes:
    """How much the seed holds: the same pages are measured at two sizes to see them scale."""

    users: int
    clubs: int
    events: int
    rsvps: int
    big_event_attendees: int
    club_feed_events: int


FULL = Sizes(users=20_000, clubs=200, events=10_000, rsvps=300_000, big_event_attendees=500,
             club_feed_events=500)
SMALL = Sizes(users=600, clubs=10, events=100, rsvps=3_000, big_event_attendees=50,
              club_feed_events=50)
MAX_SLOWDOWN = 2.0  # the product's promise: full-data p50 at most twice the small-data one
PASSWORD = "bench-password-1"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) treffpunkt-bench"
INDUSTRIES = ["it", "tax", "law", "finance", "consulting", "trade", "health", "media"]
TOPICS = ["Export", "Digitalisierung", "KI", "Nachfolge", "Fachkräfte", "Energie",
          "Finanzierung", "Vertrieb", "Marketing", "Recht", "Steuern", "Immobilien"]
OFFERS = ["Steuerberatung", "Kapital", "Webentwicklung", "Rechtsberatung", "Coaching",
          "Büroflächen", "Übersetzungen", "Fotografie", "Personalvermittlung", "Logistik"]


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    """COPY the rows; other required columns get their model's plain default."""
    defaults = {column.name: getattr(column.default.arg, "value", column.default.arg)
                for column in db.metadata.tables[table].columns
                if column.name not in columns and not column.nullable
                and column.default is not None and not callable(column.default.arg)}
    names = ", ".join(f'"{name}"' for name in [*columns, *defaults])
    count, extra = 0, tuple(defaults.values())
    with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row + extra)
            count += 1
    return count


def _users(sizes: Sizes, now, viewer_hash: str, other_hash: str):
    rng = random.Random(1)
    for n in range(1, sizes.users + 1):
        industry = INDUSTRIES[n % len(INDUSTRIES)]
        yield (n, "mara@example.com" if n == 1 else f"person{n}@example.com",
               "Mara Beispiel" if n == 1 else f"Person {n:05d}", f"Firma {n} GmbH", industry,
               f"Ich helfe Unternehmen bei {rng.choice(TOPICS)}", "Geschäftsführung",
               "Münster", json.dumps(rng.sample(TOPICS, 3)), json.dumps(rng.sample(OFFERS, 2)),
               json.dumps(rng.sample(OFFERS, 2)), f"https://firma{n}.example",
               "Zwanzig Jahre Erfahrung im Mittelstand. " * 3, "members",
               viewer_hash if n == 1 else other_hash, now, False, "Europe/Berlin",
               secrets.token_hex(16), token_hash(FEED_TOKEN) if n == 1 else None, n == 1, now)


USER_COLUMNS = ["id", "email", "name", "company", "industry", "headline", "position", "city",
                "topics", "offers", "needs", "website", "bio", "profile_visibility",
                "password_hash", "email_verified_at", "is_admin", "timezone", "session_token",
                "calendar_token_hash", "calendar_all_groups", "created_at"]
FEED_TOKEN = secrets.token_urlsafe(32)


def _events(sizes: Sizes, now):
    """Club 1 has the feed's events, the others share the rest; from 60 days ago on."""
    start = now.replace(hour=17, minute=0, second=0, microsecond=0)
    for n in range(1, sizes.events + 1):
        club = 1 if n <= sizes.club_feed_events else 2 + n % (sizes.clubs - 1)
        begins = start + timedelta(days=(n * 7) % 360 - 60, hours=n % 4)
        if n == 1:
            begins = start + timedelta(days=14)  # the big evening, ahead
        yield (n, club, f"Unternehmerabend Nr. {n}", "other",
               "Ein **Abend** mit Gesprächen, Vortrag und Brezeln; bitte pünktlich.",
               begins, begins + timedelta(hours=3), "Europe/Berlin", "Stuhlmacher",
               "Prinzipalmarkt 6–7, 48143 Münster", 0, "public", "published", 0,
               f"bench-{n}@treffpunkt.local", now, now)


EVENT_COLUMNS = ["id", "group_id", "title", "kind", "description", "starts_at", "ends_at",
                 "timezone", "venue_name", "venue_address", "guests_allowed", "visibility",
                 "status", "sequence", "ical_uid", "created_at", "updated_at"]


def _rsvps(sizes: Sizes, now):
    """The big evening's attendees (Mara among them), then an even share for every other
    event (30 at both sizes)."""
    rng = random.Random(2)
    number = 0
    per_event = (sizes.rsvps - sizes.big_event_attendees) // (sizes.events - 1) + 1
    for event in range(1, sizes.events + 1):
        people = range(1, sizes.big_event_attendees + 1) if event == 1 else rng.sample(
            range(1, sizes.users + 1), per_event)
        for user in people:
            number += 1
            if number > sizes.rsvps:
                return
            yield number, event, user, "going", 0, False, now, now


def _clubs(sizes: Sizes, now):
    for n in range(1, sizes.clubs + 1):
        yield (n, f"club-{n}", f"Unternehmerclub {n}", "Münster",
               "Gespräche unter Unternehmern.", "public", "open", "Europe/Berlin", now)


CLUB_COLUMNS = ["id", "slug", "name", "city", "short_description", "visibility", "join_policy",
                "timezone", "created_at"]


def _memberships(sizes: Sizes, now):
    """The big evening's attendees belong to its club; everyone to three clubs."""
    number, rng = 0, random.Random(3)
    for user in range(1, sizes.users + 1):
        clubs = {1} if user <= sizes.big_event_attendees else set()
        while len(clubs) < 3:
            clubs.add(rng.randint(2, sizes.clubs))
        for club in sorted(clubs):
            number += 1
            yield number, club, user, "owner" if (user, club) == (1, 1) else "member", "", now


def seed(uri: str, sizes: Sizes) -> dict:
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": uri})
    began = time.monotonic()
    counts = {}
    with app.app_context():
        upgrade()
        now = datetime.now(UTC)
        connection = db.engine.raw_connection()
        try:
            cursor = connection.cursor()
            counts["users"] = _copy(cursor, "user", USER_COLUMNS, _users(
                sizes, now, hash_password(PASSWORD), hash_password(secrets.token_hex(8))))
            counts["clubs"] = _copy(cursor, "group", CLUB_COLUMNS, _clubs(sizes, now))
            counts["memberships"] = _copy(cursor, "membership", [
                "id", "group_id", "user_id", "role", "title", "created_at"],
                _memberships(sizes, now))
            counts["events"] = _copy(cursor, "event", EVENT_COLUMNS, _events(sizes, now))
            counts["rsvps"] = _copy(cursor, "rsvp", [
                "id", "event_id", "user_id", "status", "guests", "hidden", "created_at",
                "updated_at"], _rsvps(sizes, now))
            for table in ("user", "group", "membership", "event", "rsvp"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                               f"(SELECT max(id) FROM \"{table}\"))")
            connection.commit()
            cursor.execute("ANALYZE")
            connection.commit()
        finally:
            connection.close()
        db.engine.dispose()
    counts["seconds"] = round(time.monotonic() - began, 1)
    return counts


def log_in(base: str) -> str:
    """Mara's session cookie, from the real login form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", BROWSER)]
    html = opener.open(base + "/auth/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": "mara@example.com",
                                   "password": PASSWORD}).encode()
    opener.open(base + "/auth/login", data=data).read()
    cookie = next(c for c in jar if c.name == "session")
    page = opener.open(base + "/events/1").read().decode()
    if "Mara Beispiel" not in page:
        raise RuntimeError("the login did not work")
    return f"session={cookie.value}"


CASES = [  # name, server, path, how: plain / signed in / conditional
    ("hello-world", "hello", "/", "plain"),
    ("event list, anonymous", "app", "/events/", "plain"),
    ("event list, signed in", "app", "/events/", "signed in"),
    ("event page, 500 attendees, signed in", "app", "/events/1", "signed in"),
    ("attendee list page, signed in", "app", "/events/1/attendees", "signed in"),
    ("event page, anonymous", "app", "/events/1", "plain"),
    ("club feed, 500 events, 200", "app", "/groups/club-1/calendar.ics", "plain"),
    ("club feed, 500 events, 304", "app", "/groups/club-1/calendar.ics", "conditional"),
    ("personal feed, 200", "app", f"/calendar/{FEED_TOKEN}.ics", "plain"),
    ("personal feed, 304", "app", f"/calendar/{FEED_TOKEN}.ics", "conditional"),
    ("hello-world (again)", "hello", "/", "plain"),
]
PAGE_CASES = [case for case in CASES if case[1] == "app" and not case[2].endswith(".ics")]


def measure(server: Gunicorn, path: str, how: str, cookie: str, args) -> dict:
    url = server.base + path
    # The signed-in cases come from the browser that logged in, as a member's do.
    headers = {"Cookie": cookie, "User-Agent": BROWSER} if how == "signed in" else {}
    if how == "conditional":
        headers["If-None-Match"] = fetch(url, {})[1]["ETag"]
    wrk(url, headers, args.connections, args.threads, 2)  # warm-up: every worker, every cache
    status, _headers, size = fetch(url, headers)
    return {"status": status, "bytes": size,
            **wrk(url, headers, args.connections, args.threads, args.duration)}


def measure_cases(uri: str, cases: list, args) -> dict:
    """Each case on its own kind of server; Mara signs in anew whenever the app starts."""
    env = {"DATABASE_URL": uri, "MEETUP_SECRET_KEY": SECRET,
           "MEETUP_SITE_URL": "http://127.0.0.1"}
    results, server, running, cookie = {}, None, None, ""
    try:
        for case, kind, path, how in cases:
            if kind != running:
                if server is not None:
                    server.stop()
                server = (Gunicorn("hello:app", ROOT / "bench", {}) if kind == "hello"
                          else Gunicorn("wsgi:app", ROOT, env))
                running = kind
                if kind == "app":
                    cookie = log_in(server.base)
            results[case] = measure(server, path, how, cookie, args)
            print(f"{case}: {results[case]}", file=sys.stderr)
    finally:
        if server is not None:
            server.stop()
    return results


@contextmanager
def sibling_database(uri: str, name: str):
    """A fresh database beside ``uri``'s, so the small seed starts from nothing too;
    dropped afterwards, which matters when DATABASE_URL points at a lasting server."""
    engine = create_engine(uri, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(uri).set(database=name).render_as_string(hide_password=False)
        finally:
            with engine.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def seeded(uri: str, sizes: Sizes) -> dict:
    counts = seed(uri, sizes)
    print(f"seeded in {counts['seconds']} s: {counts}", file=sys.stderr)
    return counts


def run_small(uri: str, args) -> dict:
    """The page cases again on the small seed, for the full/small ratio."""
    with sibling_database(uri, "bench_small") as small_uri:
        counts = seeded(small_uri, SMALL)
        return {"sizes": asdict(SMALL), "seed": counts,
                "results": measure_cases(small_uri, PAGE_CASES, args)}


def run(args) -> dict:
    with database() as (uri, name):
        counts = seeded(uri, FULL)
        data = {"database": name, "seed": counts,
                "results": measure_cases(uri, CASES, args)}
        if args.compare_small:
            data["small"] = run_small(uri, args)
    return data


def report(data: dict, args) -> Path:
    results = data["results"]
    hello = (results["hello-world"]["rps"] + results["hello-world (again)"]["rps"]) / 2
    out = io.StringIO()
    out.write(f"\n{data['database']}; seeded {data['seed']}; wrk -t{args.threads} "
              f"-c{args.connections} -d{args.duration}s; hello-world mean {hello:.0f} req/s\n\n")
    out.write(f"| {'case':38} | status | {'req/s':>8} | {'p50 ms':>7} | {'p99 ms':>7} "
              f"| % of hello |\n|{'-' * 40}|-------:|---------:|--------:|--------:"
              f"|-----------:|\n")
    for case, row in results.items():
        row["percent_of_hello"] = 100 * row["rps"] / hello
        out.write(f"| {case:38} | {row['status']:>6} | {row['rps']:8.1f} | "
                  f"{row['p50_ms'] or 0:7.2f} | {row['p99_ms'] or 0:7.2f} | "
                  f"{row['percent_of_hello']:9.2f}% |\n")
    if "small" in data:
        out.write(compare(data["small"], results))
    print(out.getvalue())
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    folder = ROOT / "bench" / "results"
    folder.mkdir(exist_ok=True)
    path = folder / f"scale-{args.label}-{stamp}.json"
    path.write_text(json.dumps({**data, "label": args.label, "when": stamp, "hello_rps": hello,
                                "wrk": {"threads": args.threads, "connections": args.connections,
                                        "seconds": args.duration}}, indent=2,
                               default=str) + "\n")
    return path


def compare(small: dict, full: dict) -> str:
    """The second table; the ratios also go into the JSON's "small" section."""
    out = io.StringIO()
    out.write(f"\nsmall data, page cases only (feeds left out: their output grows with their "
              f"events by design); seeded {small['seed']}, big evening "
              f"{small['sizes']['big_event_attendees']} attendees\n\n")
    out.write(f"| {'case':38} | small req/s | small p50 ms | full p50 ms "
              f"| full p50 / small p50 |\n|{'-' * 40}|------------:|-------------:"
              f"|------------:|---------------------:|\n")
    small["ratios"], small["max_ratio"] = {}, MAX_SLOWDOWN
    for case, row in small["results"].items():
        ratio = _ratio(full[case]["p50_ms"], row["p50_ms"])
        small["ratios"][case] = ratio
        mark = "✓" if ratio is not None and ratio <= MAX_SLOWDOWN else "✗"
        shown = f"{ratio:.2f}" if ratio is not None else "n/a"
        out.write(f"| {case:38} | {row['rps']:11.1f} | {row['p50_ms'] or 0:12.2f} | "
                  f"{full[case]['p50_ms'] or 0:11.2f} | {shown:>18} {mark} |\n")
    return out.getvalue()


def _ratio(full_ms: float | None, small_ms: float | None) -> float | None:
    """None when wrk gave no median for either run: no ratio rather than a wrong one."""
    if not full_ms or not small_ms:
        return None
    return round(full_ms / small_ms, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="run", help="part of the results file name")
    parser.add_argument("--duration", type=int, default=10, help="seconds per case")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--compare-small", action="store_true",
                        help="also measure the pages on a small seed: full p50 / small p50")
    args = parser.parse_args()
    path = report(run(args), args)
    print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
