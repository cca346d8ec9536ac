"""Benchmark: calendar feeds under gunicorn, as ratios to a Flask hello-world.

    .venv/bin/python bench/feeds.py [--label after] [--duration 10]
    DATABASE_URL=postgresql+psycopg://user@host/db .venv/bin/python bench/feeds.py

Without DATABASE_URL a throwaway PostgreSQL server is started (as tests/pg.py
does); without PostgreSQL, SQLite in a temporary folder. The script seeds a club
with 500 public events (bulk insert) and a member whose personal feed holds all
of them (100 going, 20 waitlisted), then serves the app and bench/hello.py the
same way: gunicorn, 2 sync workers, ``--no-control-socket``, free ports. wrk
(8 connections, 2 threads, 10 s, after a 2 s warm-up) measures each case; a
second run with 1 connection gives the service time of one request.

Cases: the club feed answered 200 from the whole-feed cache, rebuilt from cached
events (the feed cache off: what a request costs after one event changed), and
built cold (both caches off: as if every event had changed); its 304; the same
for the personal feed; one event's download. The caches are switched off
through ``MEETUP_CALENDAR_CACHE_FEEDS=0`` and ``MEETUP_CALENDAR_CACHE_EVENTS=0``.
Hello-world runs first and last; ratios use the mean of both. The table is
printed and written as JSON into bench/results/.
"""

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from meetup import create_app  # noqa: E402
from meetup.calendar import feeds  # noqa: E402
from meetup.extensions import db  # noqa: E402
from meetup.models import RSVP, Event, Group, Membership, RSVPStatus, User, utcnow  # noqa: E402
from tests.pg import PostgresServer, find_bindir, free_port  # noqa: E402

SECRET = "bench-secret-key"
NO_FEED_CACHE = {"MEETUP_CALENDAR_CACHE_FEEDS": "0"}
NO_CACHE = {**NO_FEED_CACHE, "MEETUP_CALENDAR_CACHE_EVENTS": "0"}


@contextlib.contextmanager
def database():
    """DATABASE_URL, else a throwaway PostgreSQL, else SQLite; yields (uri, name)."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"], "postgresql (DATABASE_URL)"
        return
    bindir = find_bindir()
    if bindir is not None:
        server = PostgresServer(bindir)
        try:
            server.start()
            server.execute("CREATE DATABASE bench")
            yield server.url("bench"), "postgresql (throwaway)"
            return
        finally:
            server.stop()
    with tempfile.TemporaryDirectory(prefix="feeds-bench-") as folder:
        yield f"sqlite:///{folder}/bench.db", "sqlite"


def seed(uri: str, count: int) -> dict:
    """A club with ``count`` public events; a member's personal feed holds them all."""
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        upgrade()
        group = Group(slug="bench-club", name="Unternehmerstammtisch Münster", city="Münster",
                      short_description="Jeden ersten Dienstag: Gespräche unter Unternehmern.")
        user = User(email="mara@example.com", name="Mara Beispiel", password_hash="x",
                    calendar_all_groups=True)
        db.session.add_all([group, user])
        db.session.flush()
        start = utcnow().replace(hour=17, minute=0, second=0, microsecond=0) + timedelta(days=1)
        db.session.execute(insert(Event), [dict(
            group_id=group.id, title=f"Stammtisch Nr. {n}", timezone="Europe/Berlin",
            description="Ein **Abend** mit Gesprächen, Bier und Brezeln; bitte pünktlich.",
            venue_name="Stuhlmacher", venue_address="Prinzipalmarkt 6–7, 48143 Münster",
            starts_at=start + timedelta(days=n), ends_at=start + timedelta(days=n, hours=3))
            for n in range(count)])
        ids = list(db.session.scalars(select(Event.id).order_by(Event.id)))
        db.session.add(Membership(group_id=group.id, user_id=user.id))
        db.session.execute(insert(RSVP), [dict(
            event_id=event_id, user_id=user.id,
            status=RSVPStatus.WAITLIST if n % 5 == 4 else RSVPStatus.GOING,
            waitlisted_at=utcnow() if n % 5 == 4 else None)
            for n, event_id in enumerate(ids[:120])])
        token = feeds.new_token(user)
        db.session.commit()
        db.engine.dispose()
    return {"club": "/groups/bench-club/calendar.ics", "personal": f"/calendar/{token}.ics",
            "event": f"/events/{ids[0]}.ics"}


class Gunicorn:
    """gunicorn with 2 sync workers on a free port; the same settings for every app."""

    def __init__(self, target: str, chdir: Path, env: dict):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync",
                   "--no-control-socket", "--bind", f"127.0.0.1:{self.port}",
                   "--chdir", str(chdir), "--log-level", "warning", target]
        self.process = subprocess.Popen(command, env={**os.environ, **env},
                                        start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.base + "/", timeout=5).close()
                return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn {target} did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def fetch(url: str, headers: dict) -> tuple[int, dict, int]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, dict(response.headers), len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), len(error.read())


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([a-z]+)", text).groups()
    return float(number) * UNITS[unit]


def wrk(url: str, headers: dict, connections: int, threads: int, seconds: int) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", "60s", url]
    for name, value in headers.items():
        command[1:1] = ["-H", f"{name}: {value}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = _parse(out)
    # Requests still queued in gunicorn when wrk stops would slow the next run down.
    time.sleep(min(1.2 * result["p99_ms"] / 1000, 30) if result["p99_ms"] else 10)
    return result


def _parse(out: str) -> dict:
    percentile = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)$", out, re.M)
    return {"requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": _ms(percentile["50"]) if "50" in percentile else None,
            "p99_ms": _ms(percentile["99"]) if "99" in percentile else None,
            "bad_status": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else ""}


def measure(server: Gunicorn, path: str, conditional: bool, args) -> dict:
    url = server.base + path
    headers = {}
    if conditional:
        headers["If-None-Match"] = fetch(url, {})[1]["ETag"]
    wrk(url, headers, args.connections, args.threads, 2)  # warm-up: every worker, every cache
    status, _headers, size = fetch(url, headers)
    result = {"status": status, "bytes": size,
              **wrk(url, headers, args.connections, args.threads, args.duration)}
    if args.service:
        result["service_ms"] = wrk(url, headers, 1, 1, 3)["p50_ms"]
    return result


CASES = [  # name, server, path, conditional
    ("hello-world", "hello", "hello", False),
    ("club feed 200, feed cached", "app", "club", False),
    ("club feed 304", "app", "club", True),
    ("personal feed 200, feed cached", "app", "personal", False),
    ("personal feed 304", "app", "personal", True),
    ("event .ics 200", "app", "event", False),
    ("event .ics 304", "app", "event", True),
    ("club feed 200, rebuilt from cached events", "events", "club", False),
    ("personal feed 200, rebuilt from cached events", "events", "personal", False),
    ("club feed 200, cold build", "cold", "club", False),
    ("personal feed 200, cold build", "cold", "personal", False),
    ("hello-world (again)", "hello", "hello", False),
]


def run(args) -> dict:
    with database() as (uri, name):
        paths = {"hello": "/", **seed(uri, args.events)}
        app_env = {"DATABASE_URL": uri, "MEETUP_SECRET_KEY": SECRET,
                   "MEETUP_SITE_URL": "http://127.0.0.1"}
        settings = {"app": app_env, "events": {**app_env, **NO_FEED_CACHE},
                    "cold": {**app_env, **NO_CACHE}}
        results, server, running = {}, None, None
        try:
            for case, kind, path, conditional in CASES:
                if kind != running:
                    if server is not None:
                        server.stop()
                    server = (Gunicorn("hello:app", ROOT / "bench", {}) if kind == "hello"
                              else Gunicorn("wsgi:app", ROOT, settings[kind]))
                    running = kind
                results[case] = measure(server, paths[path], conditional, args)
                print(f"{case}: {results[case]}", file=sys.stderr)
        finally:
            if server is not None:
                server.stop()
    return {"database": name, "events": args.events, "results": results}


def report(data: dict, args) -> Path:
    results = data["results"]
    hello = (results["hello-world"]["rps"] + results["hello-world (again)"]["rps"]) / 2
    print(f"\n{data['database']}; {data['events']} events; wrk -t{args.threads} "
          f"-c{args.connections} -d{args.duration}s; hello-world mean {hello:.0f} req/s\n")
    print(f"{'case':47} {'status':>6} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'1-conn ms':>9} {'% hello':>8}")
    for case, row in results.items():
        row["percent_of_hello"] = 100 * row["rps"] / hello
        service = f"{row['service_ms']:9.2f}" if row.get("service_ms") else f"{'':9}"
        print(f"{case:47} {row['status']:>6} {row['rps']:9.1f} {row['p50_ms'] or 0:8.2f} "
              f"{row['p99_ms'] or 0:8.2f} {service} {row['percent_of_hello']:7.2f}%")
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    folder = ROOT / "bench" / "results"
    folder.mkdir(exist_ok=True)
    path = folder / f"feeds-{args.label}-{stamp}.json"
    path.write_text(json.dumps({**data, "label": args.label, "commit": commit, "when": stamp,
                                "hello_rps": hello, "wrk": {"threads": args.threads,
                                "connections": args.connections, "seconds": args.duration}},
                               indent=2) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="run", help="part of the results file name")
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--duration", type=int, default=10, help="seconds per case")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-service", dest="service", action="store_false",
                        help="skip the 1-connection service-time runs")
    args = parser.parse_args()
    path = report(run(args), args)
    print(f"\nwritten to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
