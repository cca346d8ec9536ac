"""The export of one person's data: put together at once for a small account;
for a large one asked for here and prepared in the background (``worker.py``),
then fetched through a signed link that works for its owner only.

A prepared file lies in the upload storage (folder ``exports``) until its row
expires; the purge and the account's deletion remove both.
"""

import uuid
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from meetup import images
from meetup.calendar import ical
from meetup.calendar.render import event_url
from meetup.contacts import vcard
from meetup.database import after_commit, begin_writing
from meetup.errors import RuleError
from meetup.extensions import db
from meetup.models import DataExport, RSVPStatus, User
from meetup.notify import outbox
from meetup.notify.messages import locale_of, organizer_email
from meetup.privacy import export, queries
from meetup.security import InvalidToken, make_token, read_token
from meetup.urls import external_url

FOLDER = "exports"  # in the upload storage, beside photos and logos
LINK = "export"  # the purpose of a link whose ZIP is put together when it is opened
FILE_LINK = "export-file"  # the purpose of a link to a prepared file


class LinkExpired(RuleError):
    """A prepared export's link that ran out, or whose file is gone."""

    status = 410


def export_zip(user: User, now: datetime) -> bytes:
    """The person's ZIP: data.json, their own vCard, their events, their photo."""
    bundle = queries.bundle(user)
    files = {"contact.vcf": vcard.cards([vcard.Entry(user, _person_uid(user.id), True)],
                                        "4.0", now)}
    entries = [ical.Entry(answer.event, event_url(answer.event_id),
                          tentative=answer.status == RSVPStatus.WAITLIST,
                          show_online_link=answer.status == RSVPStatus.GOING,
                          busy=answer.status != RSVPStatus.NOT_GOING)
               for answer in bundle.rsvps]
    files["events.ics"] = ical.build(entries, name="Treffpunkt", description=user.name,
                                     organizer_email=organizer_email())
    photo = user.photo and images.path_of("photos", user.photo)
    if photo and photo.is_file():
        files["photo.png"] = photo.read_bytes()
    return export.archive(export.data(bundle, now), files)


def _person_uid(user_id: int) -> str:
    """The same UID as in the contacts' vCards of this person."""
    url = external_url("people.show", user_id=user_id)
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}"


def is_large(user: User) -> bool:
    """Whether the export is prepared in the background rather than at once."""
    return queries.export_size(user) > current_app.config["EXPORT_DIRECT_MAX_ROWS"]


def link_days() -> int:
    return current_app.config["EXPORT_LINK_MAX_AGE"] // 86400


def mail_export_link(user: User, now: datetime) -> None:
    """Queue the mail with a signed, expiring download link (flushes)."""
    link = external_url("privacy.export_download", token=make_token(LINK, {"uid": user.id}))
    outbox.queue(user.email, "data_export", locale_of(user), kind="data_export",
                 key=f"user:{user.id}", version=int(now.timestamp()), user=user, link=link,
                 days=link_days())


# --- prepared in the background --------------------------------------------------------

def pending(user_id: int, now: datetime) -> DataExport | None:
    """The person's prepared export, waiting, being built or ready; None once expired."""
    row = db.session.scalar(select(DataExport).where(DataExport.user_id == user_id))
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return row


def request_export(user: User, now: datetime) -> DataExport:
    """Ask for an export to be prepared (flushes). One waiting or being built is
    found as it is: a second click changes nothing. One ready or expired starts
    afresh: its link stops working and its file goes once this is committed."""
    begin_writing()  # SQLite: look under the write lock, as two clicks may race
    row = db.session.scalar(select(DataExport).where(DataExport.user_id == user.id))
    if row is None:
        try:
            with db.session.begin_nested():  # PostgreSQL: the other click's row wins
                row = DataExport(user_id=user.id, requested_at=now)
                db.session.add(row)
        except IntegrityError:
            row = db.session.scalar(select(DataExport).where(DataExport.user_id == user.id))
    elif row.ready_at is not None:
        if row.file_name:
            after_commit(remove_file, row.file_name)
        row.requested_at = now
        row.started_at = row.ready_at = row.file_name = row.expires_at = None
    db.session.flush()
    return row


def file_token(row: DataExport) -> str:
    """The link's signature binds the person and this request: a newer request
    or another person's session makes it worthless."""
    return make_token(FILE_LINK, {"uid": row.user_id, "at": row.requested_at.isoformat()})


def mail_ready(user: User, row: DataExport) -> None:
    """Queue the mail with the download link of a prepared export (flushes)."""
    link = external_url("privacy.export_file", token=file_token(row))
    outbox.queue(user.email, "data_export_ready", locale_of(user), kind="data_export_ready",
                 key=f"user:{user.id}", version=int(row.requested_at.timestamp()), user=user,
                 link=link, expires_at=row.expires_at)


def prepared_file(token: str, user: User, now: datetime) -> Path:
    """The file behind a link opened by ``user``. A link that is not theirs (or
    not a link at all) raises RuleError 404, as if there were nothing; their own
    link that ran out, or whose file was replaced or removed, LinkExpired."""
    try:
        data = read_token(FILE_LINK, token, None)  # whose it is, before how old
    except InvalidToken:
        data = {}
    if data.get("uid") != user.id:
        raise RuleError("not found", 404)
    try:
        read_token(FILE_LINK, token, current_app.config["EXPORT_LINK_MAX_AGE"])
    except InvalidToken as exc:
        raise LinkExpired("expired") from exc
    row = pending(user.id, now)
    if row is None or row.file_name is None or row.requested_at.isoformat() != data.get("at"):
        raise LinkExpired("expired")
    path = images.path_of(FOLDER, row.file_name)
    if not path.is_file():
        raise LinkExpired("expired")
    return path


def forget(user_id: int) -> None:
    """Remove the person's prepared export, its file once committed (flushes)."""
    _delete(DataExport.user_id == user_id)


def purge_expired(now: datetime) -> int:
    """Delete the exports whose time ran out, their files once committed; returns
    how many."""
    return _delete(DataExport.expires_at <= now)


def _delete(condition) -> int:
    names = db.session.scalars(delete(DataExport).where(condition)
                               .returning(DataExport.file_name)).all()
    for name in names:
        if name:
            after_commit(remove_file, name)
    return len(names)


def remove_file(name: str) -> None:
    images.path_of(FOLDER, name).unlink(missing_ok=True)
