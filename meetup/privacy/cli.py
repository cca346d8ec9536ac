"""``flask --app meetup accounts purge``: make deletions past their restore window final."""

import click
from flask.cli import AppGroup

from meetup.database import transaction
from meetup.models import utcnow
from meetup.privacy import purge as purging

accounts = AppGroup("accounts", help="Deleted accounts.")


@accounts.command("purge")
def purge() -> None:
    """Purge every deleted account whose restore window has ended (idempotent)."""
    with transaction():
        count = purging.purge_due(utcnow())
    click.echo(f"Purged {count} deleted account{'s' if count != 1 else ''}.")
