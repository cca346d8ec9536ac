"""``flask --app meetup accounts purge``: make deletions past their restore window
final and remove expired exports; ``flask --app meetup privacy exports``: prepare
the exports people asked for."""

import click
from flask.cli import AppGroup

from meetup.database import transaction
from meetup.models import utcnow
from meetup.privacy import exports, worker
from meetup.privacy import purge as purging

accounts = AppGroup("accounts", help="Deleted accounts.")
privacy = AppGroup("privacy", help="Data exports.")


@accounts.command("purge")
def purge() -> None:
    """Purge every deleted account whose restore window has ended, and every
    export whose link has run out, with its file (idempotent)."""
    with transaction():
        now = utcnow()
        count = purging.purge_due(now)
        expired = exports.purge_expired(now)
    click.echo(f"Purged {count} deleted account{'s' if count != 1 else ''}.")
    if expired:
        click.echo(f"Removed {expired} expired export{'s' if expired != 1 else ''}.")


@privacy.command("exports")
@click.option("--limit", default=10, show_default=True, help="At most this many exports.")
def prepare_exports(limit: int) -> None:
    """Prepare the exports that were asked for and mail their links; safe to run
    several times at once."""
    ready = worker.run(limit)
    click.echo(f"Prepared {ready} export{'s' if ready != 1 else ''}.")
