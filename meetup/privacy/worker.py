"""Prepared exports, built in the background: ``flask --app meetup privacy exports``
and a step of ``notifications tick``. Safe to run several times at once.

Each export takes three steps, and no lock is held while its ZIP is written:

1. *Claim*: one statement stamps ``started_at`` on the oldest waiting row, and
   commits. On PostgreSQL the row is picked ``FOR UPDATE SKIP LOCKED``: two
   workers take different rows and never wait for each other. On SQLite the
   transaction holds the one write lock and the UPDATE is conditional (the row
   still unclaimed), so two workers never take the same row either.
2. *Build*: the person's ZIP, read and written into the upload storage with no
   transaction open.
3. *Finish*: in one transaction the row becomes ready, if it still belongs to
   this claim (the account may have been deleted meanwhile), and the mail with
   the link is queued in the outbox.

A claim older than ``EXPORT_BUILD_TIMEOUT`` seconds is taken again: its worker died.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import and_, or_, select, update

from meetup import images
from meetup.database import after_commit, end_reading, transaction
from meetup.extensions import db
from meetup.models import DataExport, User, utcnow
from meetup.notify.messages import locale_of
from meetup.privacy import exports


@dataclass(frozen=True)
class Claim:
    """A row this worker stamped; ``started_at`` tells its claim from a later one."""

    id: int
    user_id: int
    started_at: datetime


def run(limit: int = 10) -> int:
    """Prepare up to ``limit`` waiting exports; returns how many became ready."""
    ready = 0
    for _ in range(limit):
        claim = claim_next()
        if claim is None:
            break
        ready += prepare(claim)
    return ready


def claim_next() -> Claim | None:
    """Take the oldest waiting export (or one whose worker died) and commit."""
    now = utcnow()
    stale = now - timedelta(seconds=current_app.config["EXPORT_BUILD_TIMEOUT"])
    waiting = and_(DataExport.ready_at.is_(None),
                   or_(DataExport.started_at.is_(None), DataExport.started_at < stale))
    # A scalar subquery runs once: under ``IN (…)`` PostgreSQL may run it again for
    # each row it scans, and SKIP LOCKED then hands it a second row to stamp.
    oldest = (select(DataExport.id).where(waiting)
              .order_by(DataExport.requested_at, DataExport.id)
              .limit(1).with_for_update(skip_locked=True).scalar_subquery())
    with transaction():
        row = db.session.execute(
            update(DataExport).where(DataExport.id == oldest, waiting)
            .values(started_at=now).returning(DataExport.id, DataExport.user_id)
            .execution_options(synchronize_session=False)).first()
    return None if row is None else Claim(row.id, row.user_id, now)


def prepare(claim: Claim) -> bool:
    """Build the claimed export and finish it; False if it was not finished (an
    error is logged, and the claim is taken again once it is stale)."""
    try:
        name = build(claim)
    except Exception:  # noqa: BLE001 - one export must not stop the others
        end_reading()
        current_app.logger.exception("Export %s could not be built", claim.id)
        return False
    return finish(claim, name)


def build(claim: Claim) -> str:
    """Write the person's ZIP into the upload storage; returns its file name."""
    user = db.session.get(User, claim.user_id)
    with force_locale(locale_of(user)):
        body = exports.export_zip(user, utcnow())
    end_reading()  # nothing is held while the file is written
    name = f"{claim.user_id}-{secrets.token_hex(16)}.zip"
    folder = images.folder(exports.FOLDER)
    part = folder / f"{name}.part"
    part.write_bytes(body)
    part.replace(folder / name)  # a reader never sees half a file
    return name


def finish(claim: Claim, name: str) -> bool:
    """Mark the export ready and queue its mail, in one transaction; a claim
    that lost its row (deleted, or taken again) only removes its file."""
    now = utcnow()
    expires_at = now + timedelta(seconds=current_app.config["EXPORT_LINK_MAX_AGE"])
    with transaction():
        mine = db.session.execute(
            update(DataExport).where(DataExport.id == claim.id,
                                     DataExport.started_at == claim.started_at,
                                     DataExport.ready_at.is_(None))
            .values(ready_at=now, file_name=name, expires_at=expires_at)
            .execution_options(synchronize_session=False)).rowcount
        if not mine:
            after_commit(exports.remove_file, name)
            return False
        exports.mail_ready(db.session.get(User, claim.user_id),
                           db.session.get(DataExport, claim.id, populate_existing=True))
    return True
