"""Writes of data protection: deleting an account, restoring it, recorded
consents (the export is in ``exports.py``). Services flush, never commit, and
raise RuleError."""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update
from werkzeug.security import check_password_hash

from meetup import images
from meetup.database import after_commit
from meetup.errors import RuleError
from meetup.events import rsvp
from meetup.extensions import db
from meetup.models import (
    RSVP,
    AccountDeletion,
    Application,
    Block,
    ConsentRecord,
    Contact,
    ContactCard,
    ContactEvent,
    ContactTag,
    Event,
    MeetingMark,
    Membership,
    OutboxMessage,
    OutboxState,
    ProfileVisibility,
    RSVPStatus,
    User,
    normalise_email,
    utcnow,
)
from meetup.models.privacy import ATTENDEE_LIST
from meetup.models.user import DELETED_DOMAIN, new_session_token
from meetup.notify import outbox
from meetup.privacy import export, exports, queries
from meetup.security import make_token
from meetup.urls import external_url

UNUSABLE_PASSWORD = "!"  # matches no password: check_password_hash answers False


class OwnsClubs(RuleError):
    """The account owns clubs: each needs another owner first."""


def restore_window() -> timedelta:
    return timedelta(days=current_app.config["ACCOUNT_RESTORE_DAYS"])


def placeholder_email(user_id: int) -> str:
    return f"deleted-{user_id}@{DELETED_DOMAIN}"


def _locale(user: User) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


# --- deletion -----------------------------------------------------------------------

def delete_account(user: User, now: datetime) -> AccountDeletion:
    """Delete ``user``'s account: restorable until the restore window ends.

    Raises OwnsClubs while they own a club. Profile, photo, contacts, notes,
    marks, blocks, memberships, applications, the calendar feed and waiting
    mails go now; seats at coming events are given up; past answers and
    check-ins stay, unnamed, so every count stays right.
    """
    owned = queries.owned_groups(user)
    if owned:
        raise OwnsClubs(_l("Please hand over your clubs first."), 409)
    deletion = AccountDeletion(user_id=user.id, name=user.name, email=user.email,
                               password_hash=user.password_hash, locale=user.locale,
                               deleted_at=now, restore_until=now + restore_window())
    db.session.add(deletion)
    _release_coming_seats(user, now)
    _delete_relations(user)
    _drop_waiting_mails(user)
    exports.forget(user.id)
    _last_mail(user, deletion)
    _anonymise(user)
    db.session.flush()
    return deletion


def _release_coming_seats(user: User, now: datetime) -> None:
    """Nobody comes for a deleted account: its seats at coming events go to the
    waitlist, as when an organiser takes someone off the list."""
    events = db.session.scalars(
        select(RSVP.event_id).join(RSVP.event)
        .where(RSVP.user_id == user.id, Event.starts_at > now,
               RSVP.status.in_([RSVPStatus.GOING, RSVPStatus.WAITLIST]))
        .order_by(RSVP.event_id)).all()  # one lock order for every writer
    for event_id in events:
        rsvp.organiser_set(rsvp.lock_event(event_id), user, RSVPStatus.NOT_GOING, now)


def _delete_relations(user: User) -> None:
    contact_ids = select(Contact.id).where(or_(Contact.first_id == user.id,
                                               Contact.second_id == user.id))
    card_ids = select(ContactCard.id).where(ContactCard.contact_id.in_(contact_ids))
    db.session.execute(delete(ContactTag).where(ContactTag.card_id.in_(card_ids)))
    db.session.execute(delete(ContactCard).where(ContactCard.contact_id.in_(contact_ids)))
    db.session.execute(delete(ContactEvent).where(ContactEvent.contact_id.in_(contact_ids)))
    db.session.execute(delete(Contact).where(Contact.id.in_(contact_ids)))
    for statement in (
            delete(MeetingMark).where(or_(MeetingMark.marker_id == user.id,
                                          MeetingMark.marked_id == user.id)),
            delete(Block).where(or_(Block.blocker_id == user.id, Block.blocked_id == user.id)),
            delete(Membership).where(Membership.user_id == user.id),
            delete(Application).where(Application.user_id == user.id)):
        db.session.execute(statement)
    # Counted among those going (and checked in), never named again.
    db.session.execute(update(RSVP).where(RSVP.user_id == user.id).values(hidden=True))


def _drop_waiting_mails(user: User) -> None:
    db.session.execute(delete(OutboxMessage).where(
        or_(OutboxMessage.user_id == user.id, OutboxMessage.recipient == user.email),
        OutboxMessage.state == OutboxState.WAITING))


def _last_mail(user: User, deletion: AccountDeletion) -> None:
    link = external_url("privacy.restore", token=restore_token(deletion))
    outbox.queue(user.email, "account_deleted", _locale(user), kind="account_deleted",
                 key=f"user:{user.id}", version=int(deletion.deleted_at.timestamp()),
                 user=user, link=link, restore_until=deletion.restore_until)


def _anonymise(user: User) -> None:
    photo = user.photo
    if photo:
        after_commit(_remove_photo, photo)
    for name in export.PROFILE_FIELDS:
        setattr(user, name, [] if name in ("topics", "offers", "needs") else "")
    user.name, user.email = "", placeholder_email(user.id)
    user.photo = user.calendar_token_hash = None
    user.password_hash, user.session_token = UNUSABLE_PASSWORD, new_session_token()
    user.profile_visibility = ProfileVisibility.MEMBERS
    user.calendar_all_groups = user.is_admin = False


def _remove_photo(name: str) -> None:
    images.path_of("photos", name).unlink(missing_ok=True)


def restore_token(deletion: AccountDeletion) -> str:
    return make_token("restore", {"uid": deletion.user_id,
                                  "at": deletion.deleted_at.isoformat()})


def restore_offer(email: str, password: str) -> str | None:
    """A restore link for a deleted account in its window whose password this is."""
    deletion = queries.restorable_by_email(normalise_email(email), utcnow())
    if deletion is None or not check_password_hash(deletion.password_hash or "", password):
        return None
    return restore_token(deletion)


def restore_account(deletion: AccountDeletion, now: datetime) -> User:
    """Give the account its name, address and password back (flushes). Raises
    RuleError when the window has passed or the address has a new account."""
    if deletion.purged_at is not None or deletion.restore_until <= now:
        raise RuleError(_l("This account can no longer be restored."), 410)
    taken = db.session.scalar(select(User.id).where(User.email == deletion.email))
    if taken is not None:
        raise RuleError(_l("A new account uses this email address now, so the old one "
                           "cannot be restored."), 409)
    user = db.session.get(User, deletion.user_id)
    user.name, user.email, user.locale = deletion.name, deletion.email, deletion.locale
    user.password_hash, user.session_token = deletion.password_hash, new_session_token()
    db.session.delete(deletion)
    db.session.flush()
    return user


# --- consent ---------------------------------------------------------------------------

def record_consent(user: User, kind: str, granted: bool, now: datetime | None = None) -> None:
    db.session.add(ConsentRecord(user_id=user.id, kind=kind, granted=granted,
                                 recorded_at=now or utcnow()))
    db.session.flush()


def set_listing(user: User, listed: bool, now: datetime | None = None) -> None:
    """Consent to being named in attendee lists, given or withdrawn, recorded with
    its date. Withdrawing takes the name off every answer given so far (and, see
    ``apply_listing_choice``, off every later one); giving it again leaves each
    event's own "don't list me" as it is."""
    record_consent(user, ATTENDEE_LIST, listed, now)
    user.listed_as_attendee = listed
    if not listed:
        db.session.execute(update(RSVP).where(RSVP.user_id == user.id).values(hidden=True))


def record_event_listing(user: User, event_id: int, listed: bool) -> None:
    """The "don't list me" choice of one event, recorded with its date."""
    record_consent(user, f"{ATTENDEE_LIST}:{event_id}", listed)


def apply_listing_choice(answer: RSVP, user: User) -> None:
    """An answer follows the person's choice: unnamed while consent is withdrawn
    (read from the loaded account: an answer costs no extra statement)."""
    if not user.listed_as_attendee:
        answer.hidden = True
