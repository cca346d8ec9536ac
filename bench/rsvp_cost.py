"""What queuing its mails adds to an RSVP POST: statements and median time, with the
mails (as shipped) and without them (the RSVP code with ``messages.answered`` a
no-op, as before the outbox), in interleaved rounds of one run.

    .venv/bin/python bench/rsvp_cost.py [--rounds 5] [--posts 100]
    DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/rsvp_cost.py

Each POST alternates yes and no for one member, so every one changes the RSVP and
queues a mail (a confirmation with an invitation, or a withdrawal with a CANCEL).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rsvp_path import PASSWORD, csrf, make_app, seed  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402

from meetup.extensions import db  # noqa: E402
from meetup.notify import messages  # noqa: E402


def posts(client, event_id: int, token: str, count: int, engine) -> tuple[list[float], float]:
    """Milliseconds per POST, and statements per POST."""
    statements = []
    listener = lambda *args: statements.append(1)  # noqa: E731
    sa_event.listen(engine, "before_cursor_execute", listener)
    times = []
    for number in range(count):
        answer = "yes" if number % 2 == 0 else "no"
        started = time.perf_counter()
        response = client.post(f"/events/{event_id}/rsvp",
                               data={"answer": answer, "guests": "0", "csrf_token": token})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (302, 303), response.status_code
    sa_event.remove(engine, "before_cursor_execute", listener)
    return times, len(statements) / count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--posts", type=int, default=100)
    args = parser.parse_args()
    app = make_app()
    with app.app_context():
        event_id = seed()
        engine = db.engine
    client = app.test_client()
    token = csrf(client.get("/auth/login").data)
    client.post("/auth/login", data={"email": "anna@example.org", "password": PASSWORD,
                                     "csrf_token": token})
    token = csrf(client.get(f"/events/{event_id}").data)
    shipped = messages.answered
    results = {"with mail": ([], []), "without mail": ([], [])}
    for _round in range(args.rounds):
        for label in results:
            messages.answered = shipped if label == "with mail" else (lambda *a, **k: None)
            times, per_post = posts(client, event_id, token, args.posts, engine)
            results[label][0].extend(times)
            results[label][1].append(per_post)
    messages.answered = shipped
    print(f"{engine.dialect.name}, {args.rounds} rounds × {args.posts} POSTs each")
    for label, (times, counts) in results.items():
        print(f"  {label:13} {statistics.median(counts):5.1f} statements/POST, "
              f"median {statistics.median(times):6.2f} ms, p90 "
              f"{statistics.quantiles(times, n=10)[-1]:6.2f} ms")
    engine.dispose()


if __name__ == "__main__":
    main()
