"""Benchmark: the mail outbox, 2000 mails through one and through two senders.

    .venv/bin/python bench/outbox_bench.py            # SQLite in a temporary folder
    DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/outbox_bench.py

Each run queues MAILS mails (``queue()``, one commit per 100), then starts the senders
as separate processes (as separate hosts would run them) against a local SMTP sink
(aiosmtpd, in a process of its own, counting each Message-ID), and measures the time
from the start signal until the sink holds every mail. Prints mails per second and
checks that every mail arrived exactly once. With DATABASE_URL (use a throwaway
database: the schema is migrated to head) SQLite runs first, then PostgreSQL; only
the benchmark's own rows (kind "bench") are deleted between runs.
"""

import multiprocessing
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import delete, func, select  # noqa: E402

from meetup import create_app  # noqa: E402
from meetup.extensions import db  # noqa: E402
from meetup.models import OutboxAttempt, OutboxMessage, OutboxState  # noqa: E402
from meetup.notify.outbox import queue  # noqa: E402
from meetup.notify.sender import Sender  # noqa: E402
from tests.pg import free_port  # noqa: E402

MAILS = int(os.environ.get("OUTBOX_BENCH_MAILS", 2000))
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.MULTILINE | re.IGNORECASE)  # maybe folded


def config(uri: str, smtp_port: int) -> dict:
    return {"TESTING": True, "SECRET_KEY": "bench", "SITE_URL": "http://bench.localhost",
            "SQLALCHEMY_DATABASE_URI": uri, "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_port}


# --- the SMTP sink, a process of its own ----------------------------------------------

class Counting:
    def __init__(self):
        self.seen: Counter = Counter()

    async def handle_DATA(self, server, session, envelope):
        match = MESSAGE_ID.search(envelope.content)
        self.seen[match.group(1) if match else b"?"] += 1
        return "250 2.0.0 Ok: queued"


def sink(port: int, commands) -> None:
    from aiosmtpd.controller import Controller

    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    commands.send("ready")
    while (command := commands.recv()) != "stop":
        if command == "reset":
            handler.seen.clear()
        commands.send((sum(handler.seen.values()), len(handler.seen)))
    controller.stop()


# --- a sender process -------------------------------------------------------------------

def sender(uri: str, smtp_port: int, start, results) -> None:
    app = create_app(config(uri, smtp_port))
    with app.app_context():
        worker = Sender()
        db.engine.connect().close()  # connect before the clock starts
        start.wait()
        sent = 0
        while result := worker.send_pending(500):
            if not result.handled:
                break
            sent += result.sent
        results.put(sent)
        db.engine.dispose()


# --- one run ------------------------------------------------------------------------------

def fill(app) -> float:
    """Queue MAILS mails; returns the queueing rate (mails per second)."""
    class Person:
        id = None
        name = "Jürgen Groß"

    with app.app_context():
        db.session.execute(delete(OutboxAttempt).where(OutboxAttempt.outbox_message_id.in_(
            select(OutboxMessage.id).where(OutboxMessage.kind == "bench"))))
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.kind == "bench"))
        db.session.commit()
        began = time.perf_counter()
        for number in range(MAILS):
            queue(f"person{number}@example.com", "reset_password", "de", kind="bench",
                  key=f"user:{number}", user=Person(), link=f"http://bench.localhost/{number}")
            if number % 100 == 99:
                db.session.commit()
        db.session.commit()
        return MAILS / (time.perf_counter() - began)


def run(app, uri: str, smtp_port: int, senders: int, commands) -> dict:
    queued = fill(app)
    commands.send("reset")
    commands.recv()
    spawn = multiprocessing.get_context("spawn")
    start, results = spawn.Event(), spawn.Queue()
    processes = [spawn.Process(target=sender, args=(uri, smtp_port, start, results))
                 for _ in range(senders)]
    for process in processes:
        process.start()
    time.sleep(3)  # let them import and connect
    began = time.perf_counter()
    start.set()
    shares = [results.get(timeout=600) for _ in processes]
    seconds = time.perf_counter() - began
    for process in processes:
        process.join()
    commands.send("count")
    arrived, distinct = commands.recv()
    with app.app_context():
        sent_rows = db.session.scalar(select(func.count()).where(
            OutboxMessage.kind == "bench", OutboxMessage.state == OutboxState.SENT))
    return {"queued": queued, "seconds": seconds, "arrived": arrived, "distinct": distinct,
            "sent_rows": sent_rows, "shares": shares}


def main() -> None:
    folder = tempfile.mkdtemp(prefix="outbox-bench-")
    backends = [("SQLite", f"sqlite:///{folder}/bench.db")]
    if os.environ.get("DATABASE_URL"):
        backends.append(("PostgreSQL", os.environ["DATABASE_URL"]))
    port = free_port()
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    smtp = multiprocessing.get_context("spawn").Process(target=sink, args=(port, theirs))
    smtp.start()
    assert ours.recv() == "ready"
    rows = []
    try:
        for name, uri in backends:
            app = create_app(config(uri, port))
            with app.app_context():
                upgrade()
            for senders in (1, 2):
                rows.append((name, senders, run(app, uri, port, senders, ours)))
            with app.app_context():
                db.engine.dispose()
    finally:
        ours.send("stop")
        smtp.join()
    report(rows)


def report(rows) -> None:
    print(f"\n{MAILS} mails, local SMTP sink (aiosmtpd), senders as processes, "
          f"{os.cpu_count()} CPUs\n")
    print(f"{'database':<11} {'senders':>7} {'queue/s':>8} {'seconds':>8} {'mails/s':>8} "
          f"{'arrived':>8} {'twice':>6}  shares")
    for name, senders, r in rows:
        print(f"{name:<11} {senders:>7} {r['queued']:>8.0f} {r['seconds']:>8.2f} "
              f"{MAILS / r['seconds']:>8.0f} {r['arrived']:>8} {r['arrived'] - r['distinct']:>6}"
              f"  {'+'.join(map(str, r['shares']))}")
    ok = all(r["arrived"] == r["distinct"] == r["sent_rows"] == MAILS for *_, r in rows)
    print("\nevery mail arrived exactly once" if ok else "\nMISMATCH: see the table")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
