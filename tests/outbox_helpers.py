"""Small helpers the outbox tests share."""

from datetime import timedelta

from sqlalchemy import func, select, update

from meetup.extensions import db
from meetup.models import OutboxAttempt, OutboxMessage, utcnow
from meetup.notify.outbox import queue
from tests.test_race import run_together


class Person:
    """What the mail templates need of an account; a recipient without one."""

    id = None
    name = "Jürgen Groß"


def queue_many(app, count: int, start: int = 0, **values) -> list[str]:
    """Queue ``count`` password mails in one committed transaction; their Message-IDs."""
    with app.app_context():
        messages = [queue(f"person{number}@example.com", "reset_password", "de",
                          kind="reset_password", key=f"user:{number}", user=Person(),
                          link=f"http://localhost/reset/{number}", **values)
                    for number in range(start, start + count)]
        db.session.commit()
        return [message.message_id for message in messages]


def rows(app, **filters) -> list[OutboxMessage]:
    with app.app_context():
        found = list(db.session.scalars(select(OutboxMessage).filter_by(**filters)
                                        .order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return found


def attempts(app, message_id: int | None = None) -> list[OutboxAttempt]:
    with app.app_context():
        query = select(OutboxAttempt).order_by(OutboxAttempt.id)
        if message_id is not None:
            query = query.filter_by(outbox_message_id=message_id)
        found = list(db.session.scalars(query))
        db.session.expunge_all()
        return found


def count(app, model=OutboxMessage) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def make_due(app) -> None:
    """Time passes: every waiting mail is due now."""
    with app.app_context():
        db.session.execute(update(OutboxMessage).values(
            next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def expire_leases(app) -> None:
    """Time passes: every sender's lease has run out."""
    with app.app_context():
        db.session.execute(update(OutboxMessage).values(
            lease_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def in_threads(app, count: int, work) -> list:
    """Run ``work()`` in ``count`` threads released together, each in its own app
    context; returns their results."""
    results = [None] * count

    def run(index: int) -> None:
        with app.app_context():
            results[index] = work()

    run_together(count, run)
    return results
