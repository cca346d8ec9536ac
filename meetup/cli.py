"""Command-line tools: ``flask --app meetup users create …``, ``seed-demo``, ``outbox``,
``accounts purge``, ``privacy exports``."""

from pathlib import Path

import click
from babel.messages.pofile import read_po, write_po
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import func, select

from meetup import demo
from meetup.audit.cli import audit
from meetup.auth import services
from meetup.extensions import db
from meetup.models import User, hash_password
from meetup.notify.cli import notifications, outbox
from meetup.privacy.cli import accounts, privacy

users = AppGroup("users", help="Manage accounts.")
translations = AppGroup("translations", help="Maintain the message catalogues.")


def init_app(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(translations)
    app.cli.add_command(seed_demo)
    app.cli.add_command(seed_if_empty)
    app.cli.add_command(outbox)
    app.cli.add_command(notifications)
    app.cli.add_command(accounts)
    app.cli.add_command(privacy)
    app.cli.add_command(audit)


@users.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name shown to others.")
@click.option("--password", required=True, help="At least PASSWORD_MIN_LENGTH characters.")
@click.option("--admin", is_flag=True, help="Give the account site-admin rights.")
def create_user(email: str, name: str, password: str, admin: bool) -> None:
    """Create a verified account."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise click.BadParameter(f"use at least {minimum} characters", param_hint="--password")
    try:
        user = services.create_user(email, name, hash_password(password), is_admin=admin)
    except services.EmailTaken:
        raise click.ClickException(f"an account for {email} exists already") from None
    user.email_verified_at = demo.now()
    db.session.commit()
    click.echo(f"Created {'admin ' if admin else ''}account {user.email} (id {user.id}).")


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load realistic demo clubs, members, events and RSVPs (idempotent)."""
    _seed()


def _seed() -> None:
    counts = demo.seed()
    db.session.commit()
    click.echo("Demo data: " + ", ".join(f"{name} {number}" for name, number in counts.items()))


@click.command("seed-if-empty", hidden=True)
@with_appcontext
def seed_if_empty() -> None:
    """Load the demo data only into a database without accounts (used by 'make run')."""
    if db.session.scalar(select(func.count(User.id))):
        click.echo("Database has data; demo data not loaded.")
        return
    _seed()


@translations.command("fill-english")
def fill_english() -> None:
    """The English texts are the message ids: copy them into the English catalogue."""
    path = Path(current_app.root_path) / "translations/en/LC_MESSAGES/messages.po"
    with path.open("rb") as file:
        catalog = read_po(file)
    for message in catalog:
        if message.id and not any(message.string if isinstance(message.string, tuple)
                                  else [message.string]):
            message.string = message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as file:
        write_po(file, catalog, width=100, no_location=True, sort_output=True)
    click.echo(f"English catalogue complete: {len(catalog)} messages.")
