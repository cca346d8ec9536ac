"""``flask --app meetup audit purge``: forget entries past AUDIT_RETENTION_DAYS."""

import click
from flask import current_app
from flask.cli import AppGroup

from meetup.audit.services import purge as purge_entries
from meetup.database import transaction

audit = AppGroup("audit", help="The audit trail of organiser actions.")


@audit.command("purge")
def purge() -> None:
    """Delete entries older than AUDIT_RETENTION_DAYS (run daily, e.g. from cron)."""
    with transaction():
        count = purge_entries()
    days = current_app.config["AUDIT_RETENTION_DAYS"]
    click.echo(f"Audit trail: {count} entries older than {days} days deleted.")
