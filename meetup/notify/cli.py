"""``flask --app meetup outbox send|work|status``: deliver queued mails;
``notifications tick``: queue the mails that are due."""

import signal
import threading
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from meetup.models import OutboxState, utcnow
from meetup.notify import queries, schedule
from meetup.notify.sender import Sender

outbox = AppGroup("outbox", help="Deliver the mails in the outbox.")


@outbox.command("send")
@click.option("--limit", default=1000, show_default=True, help="At most this many mails.")
def send(limit: int) -> None:
    """Deliver the mails that are due, once."""
    result = Sender().send_pending(limit)
    click.echo(f"Outbox: {result}.")


@outbox.command("work")
@click.option("--idle", type=float, default=None,
              help="Seconds to wait when nothing is due (default OUTBOX_IDLE_SLEEP).")
def work(idle: float | None) -> None:
    """Deliver mails as they become due, until SIGTERM or Ctrl-C."""
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    sender = Sender()
    click.echo(f"Outbox sender {sender.name} started.")
    run(sender, stopping, current_app.config["OUTBOX_IDLE_SLEEP"] if idle is None else idle)
    click.echo(f"Outbox sender {sender.name} stopped.")


def run(sender: Sender, stopping: threading.Event, idle: float) -> None:
    """Send until ``stopping`` is set; it is checked before every mail."""
    while not stopping.is_set():
        try:
            result = sender.send_pending(current_app.config["OUTBOX_BATCH"], stopping.is_set)
        except SQLAlchemyError:
            # The database is away or busy: keep the sender alive and try again.
            current_app.logger.exception("Outbox: database error; trying again")
            stopping.wait(max(idle, 1.0))
            continue
        if result.handled:
            click.echo(f"Outbox: {result}.")
        else:
            stopping.wait(idle)


@outbox.command("status")
def status() -> None:
    """Mails by state, and how long the oldest waiting one has waited."""
    state = queries.status()
    for name in OutboxState:
        click.echo(f"{name.value:<10} {state.counts[name]:>7}")
    if state.oldest_waiting is None:
        click.echo("oldest waiting: none")
        return
    click.echo(f"oldest waiting: queued {_age(utcnow() - state.oldest_waiting)} ago "
               f"({state.oldest_waiting:%Y-%m-%d %H:%M:%S} UTC)")
    click.echo(f"next due: {state.next_due:%Y-%m-%d %H:%M:%S} UTC")


def _age(age: timedelta) -> str:
    """'2 h 05 min', '4 min 09 s', '12 s'."""
    seconds = max(int(age.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"


notifications = AppGroup("notifications", help="Mails that are due because time passed.")


@notifications.command("tick")
def tick() -> None:
    """Queue the reminders, "Still coming?" mails, follow-ups, new-event mails,
    digests and summaries that are due; safe every minute and several at once."""
    result = schedule.tick()
    click.echo(f"Notifications: {result}.")
