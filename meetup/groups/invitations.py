"""Invitation links, invitations by email, and the CSV import.

Invitations never create accounts: the invited person signs up (or logs in)
and then accepts. Functions flush and never commit; refusals raise ``RuleError``.
"""

import csv
import enum
import io
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select, update

from meetup import policy
from meetup.database import begin_writing
from meetup.errors import RuleError
from meetup.extensions import db
from meetup.groups.services import add_member, apply
from meetup.models import (
    Group,
    Invitation,
    JoinPolicy,
    Membership,
    User,
    normalise_email,
    utcnow,
)

EMAIL_INVITATION_DAYS = 30
MAX_CSV_ROWS = 2000


def create_link(group: Group, organiser: User, days: int, max_uses: int | None) -> Invitation:
    invitation = Invitation(group_id=group.id, token=secrets.token_urlsafe(24),
                            expires_at=utcnow() + timedelta(days=days), max_uses=max_uses,
                            created_by_id=organiser.id)
    db.session.add(invitation)
    db.session.flush()
    return invitation


def create_for_email(group: Group, organiser: User, email: str, name: str = "") -> Invitation:
    invitation = Invitation(group_id=group.id, token=secrets.token_urlsafe(24),
                            email=normalise_email(email), name=name.strip()[:120], max_uses=1,
                            expires_at=utcnow() + timedelta(days=EMAIL_INVITATION_DAYS),
                            created_by_id=organiser.id)
    db.session.add(invitation)
    db.session.flush()
    return invitation


def find(token: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.token == token))


def revoke(group: Group, invitation_id: int) -> None:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.group_id != group.id:
        raise RuleError(_l("This invitation does not exist."), 404)
    invitation.revoked_at = invitation.revoked_at or utcnow()


def accept(invitation: Invitation, viewer: policy.Viewer,
           message: str = "") -> Membership | None:
    """Use one invitation: join at once, or (approval groups) apply.

    The use is counted by a conditional update, so a link with one use left
    admits exactly one person even when two accept at the same moment.
    Returns the membership, or None when an application was filed.
    """
    begin_writing()
    group, user = invitation.group, viewer.user
    policy.ensure_taking_part(user)
    if not policy.can(viewer, policy.Action.ACCEPT_INVITATION, group):
        raise RuleError(_l("You cannot join this group."), 403)
    member = db.session.scalar(select(Membership).filter_by(group_id=group.id,
                                                            user_id=user.id))
    if member is not None:
        return member
    now = utcnow()
    used = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.revoked_at.is_(None),
               Invitation.expires_at > now,
               (Invitation.max_uses.is_(None)) | (Invitation.uses < Invitation.max_uses))
        .values(uses=Invitation.uses + 1)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        raise RuleError(_l("This invitation has expired or has been used up."))
    if group.join_policy == JoinPolicy.APPROVAL:
        apply(group, user, message)
        return None
    return add_member(group, user)


class Skip(enum.StrEnum):
    """Why a good address gets no invitation: it needs none."""

    MEMBER = "member"
    INVITED = "invited"  # an invitation to this address still waits to be used
    TWICE = "twice"  # earlier in the same list


SKIP_MESSAGES = {
    Skip.MEMBER: _l("%(email)s is already a member."),
    Skip.INVITED: _l("%(email)s is already invited."),
    Skip.TWICE: _l("%(email)s appears twice in the file."),
}


@dataclass
class ImportResult:
    invitations: list[Invitation] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, message)
    skipped: list[tuple[int, str, Skip]] = field(default_factory=list)  # (line, email, why)

    def not_imported(self) -> list[tuple[int, str]]:
        """Every row that got no invitation, with why, in the order of the file."""
        rows = self.errors + [(line, SKIP_MESSAGES[why] % {"email": email})
                              for line, email, why in self.skipped]
        return sorted(rows, key=lambda row: row[0])

    def skipped_for(self, why: Skip) -> list[str]:
        return [email for _line, email, reason in self.skipped if reason == why]

    def summary(self) -> str:
        """"2 invitations sent; 1 address is already a member: …" — what a batch did."""
        parts = [ngettext("%(num)d invitation sent", "%(num)d invitations sent",
                          len(self.invitations))]
        if members := self.skipped_for(Skip.MEMBER):
            parts.append(ngettext("%(num)d address is already a member: %(emails)s",
                                  "%(num)d addresses are already members: %(emails)s",
                                  len(members), emails=", ".join(members)))
        if invited := self.skipped_for(Skip.INVITED):
            parts.append(ngettext("%(num)d address is already invited: %(emails)s",
                                  "%(num)d addresses are already invited: %(emails)s",
                                  len(invited), emails=", ".join(invited)))
        if twice := self.skipped_for(Skip.TWICE):
            parts.append(ngettext(
                "%(num)d address was given twice and is invited once: %(emails)s",
                "%(num)d addresses were given twice and are invited once: %(emails)s",
                len(twice), emails=", ".join(twice)))
        return "; ".join(parts) + "."


class ImportFileError(RuleError):
    """The file as a whole cannot be imported; nothing was."""

    status = 422


MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_CELL = 1000  # characters: a name or an address, with room to spare
SPREADSHEETS = (b"PK\x03\x04",  # .xlsx and .ods are zip archives
                b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # .xls (OLE compound file)
_CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"}


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), UTF-16 with BOM ("Unicode
    text" from Excel), else Windows-1252 as Excel on Windows writes it."""
    if len(data) > MAX_CSV_BYTES:
        raise ImportFileError(_l("The file is too large (at most 2 MB)."))
    if data.startswith(SPREADSHEETS):
        raise ImportFileError(_l("This is an Excel or spreadsheet file, not a CSV file. Please "
                                 "save it as “CSV” (File → Save as) and upload that file."))
    for encoding, applies in (("utf-16", data.startswith((b"\xff\xfe", b"\xfe\xff"))),
                              ("utf-8-sig", True), ("cp1252", b"\x00" not in data)):
        if applies:
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            # No text has NULs (the database refuses them); few have other controls.
            sample = text[:100_000]
            if "\x00" not in text and sum(c in _CONTROL for c in sample) <= len(sample) // 100:
                return text
            break
    raise ImportFileError(_l("This file is not a text file we can read. Please save the list "
                             "as “CSV UTF-8” and upload that file."))


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """The non-empty rows with their line numbers, in the dialect the file is
    written in (Excel in Germany uses ';')."""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = []
    try:
        for row in reader:
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if len(rows) >= MAX_CSV_ROWS:
                raise ImportFileError(_l("The file has more than %(num)d rows. Please split "
                                         "it into smaller files.", num=MAX_CSV_ROWS))
            if any(len(cell) > MAX_CELL for cell in cells):
                raise ImportFileError(_l("Line %(line)d has a cell that is far too long. "
                                         "Is this really a list of names and addresses?",
                                         line=reader.line_num))
            rows.append((reader.line_num, cells))
    except csv.Error as exc:  # a cell beyond csv's own limit, a broken quote
        raise ImportFileError(_l("Line %(line)d cannot be read. Please check the file.",
                                 line=max(reader.line_num, 1))) from exc
    return rows


def import_csv(group: Group, organiser: User, data: bytes) -> ImportResult:
    """Create an email invitation for every good row of ``name,email``. A bad
    row is reported with its line number; an address that needs no invitation
    (a member, already invited, twice in the list) is skipped and said so. A
    header line is optional. Raises ImportFileError, creating nothing, when
    the file cannot be read."""
    rows = _rows(decode(data))
    result = ImportResult()
    known = _known_addresses(group)
    for index, (line, cells) in enumerate(rows):
        if index == 0 and any(cell.lower() in ("email", "e-mail", "mail") for cell in cells):
            continue
        # One column: it is the address; more: the cell with an @ is.
        email_cell = cells[0] if len(cells) == 1 else next((c for c in cells if "@" in c), "")
        name = next((cell for cell in cells if cell and cell != email_cell), "")
        error = _row_error(email_cell)
        if error:
            result.errors.append((line, str(error)))
            continue
        email = normalise_email(email_cell)
        if email in known:
            result.skipped.append((line, email, known[email]))
            continue
        known[email] = Skip.TWICE
        result.invitations.append(create_for_email(group, organiser, email, name))
    return result


def _known_addresses(group: Group) -> dict[str, Skip]:
    """Addresses of the group's members and of its invitations still waiting to be used."""
    now = utcnow()
    invited = db.session.scalars(
        select(Invitation.email).where(
            Invitation.group_id == group.id, Invitation.email.is_not(None),
            Invitation.revoked_at.is_(None), Invitation.expires_at > now,
            (Invitation.max_uses.is_(None)) | (Invitation.uses < Invitation.max_uses)))
    members = db.session.scalars(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group.id))
    return {email: Skip.INVITED for email in invited} | {
        email: Skip.MEMBER for email in members}


def _row_error(email: str):
    if not email:
        return _l("No email address in this row.")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return _l("“%(email)s” is not a valid email address.", email=email)
    return None
