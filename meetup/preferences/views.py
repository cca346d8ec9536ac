"""The mail preferences page (under "My account"), one-click unsubscribing and the
"Still coming?" links — the last two work without logging in and without a CSRF
token: the signed token in the address is what proves the person."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from meetup.database import transaction
from meetup.errors import RuleError
from meetup.extensions import csrf, db
from meetup.models import Group, Membership, NewEvents, User
from meetup.notify import preferences
from meetup.notify import still_coming as coming
from meetup.security import InvalidToken

bp = Blueprint("preferences", __name__)

PERSONAL_LABELS = {
    "reminders": _l("Reminders before the events I am going to"),
    "still_coming": _l("“Still coming?” two days before, to give back a seat I won't use"),
    "organiser_alerts": _l("For organisers: an event is full, a waitlist forms"),
    "organiser_summary": _l("For organisers: a daily summary of new registrations"),
    "announcements": _l("Announcements from organisers"),
    "follow_ups": _l("A reminder on the day I set to follow up with a contact"),
}
NEW_EVENT_LABELS = {NewEvents.IMMEDIATELY: _l("at once"), NewEvents.WEEKLY: _l("weekly digest"),
                    NewEvents.OFF: _l("off")}


def _my_groups() -> list[Group]:
    return list(db.session.scalars(
        select(Group).join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == current_user.id).order_by(Group.name)))


def _page(status: int = 200, error: str | None = None):
    groups = _my_groups()
    rows = preferences.club_rows(current_user, groups)
    clubs = [(group, rows.get(group.id) or preferences.club_settings(current_user, group))
             for group in groups]
    return render_template("account/mail.html", settings=preferences.settings(current_user),
                           clubs=clubs, labels=PERSONAL_LABELS, modes=NEW_EVENT_LABELS,
                           error=error), status


@bp.get("/account/mail")
@login_required
def page():
    return _page()


@bp.post("/account/mail")
@login_required
def save():
    form = request.form
    with transaction():
        groups = {group.id: group for group in _my_groups()}
        choices = {}
        for group_id in groups:
            mode = form.get(f"club-{group_id}-new_events", NewEvents.IMMEDIATELY.value)
            if mode not in NewEvents._value2member_map_:
                return _page(422, _("Please choose how you hear of new events."))
            choices[group_id] = NewEvents(mode)
        preferences.save(current_user, {kind: form.get(kind) == "y"
                                        for kind in preferences.PERSONAL})
        for group_id, mode in choices.items():
            preferences.save_club(current_user, groups[group_id], new_events=mode,
                                  announcements=form.get(f"club-{group_id}-announcements") == "y")
    flash(_("Your mail preferences are saved."), "success")
    return redirect(url_for("preferences.page"))


def _unsubscribe_target(token: str) -> tuple[User, str, Group | None]:
    user_id, kind, group_id = preferences.read_unsubscribe(token)
    user = db.session.get(User, user_id)
    group = db.session.get(Group, group_id) if group_id is not None else None
    if user is None or (group_id is not None and group is None):
        raise InvalidToken()
    return user, kind, group


@bp.get("/mail/unsubscribe/<token>")
def unsubscribe(token: str):
    """A confirmation page: a link that only opens (mail scanners do) changes nothing."""
    try:
        user, kind, group = _unsubscribe_target(token)
    except InvalidToken:
        return render_template("notify/link_refused.html", reason="invalid"), 400
    return render_template("notify/unsubscribe.html", kind=kind, group=group, token=token,
                           label=_kind_label(kind), email=user.email)


@bp.post("/mail/unsubscribe/<token>")
@csrf.exempt
def unsubscribe_now(token: str):
    """RFC 8058: a POST (``List-Unsubscribe=One-Click``) unsubscribes, no login needed."""
    try:
        with transaction():
            user, kind, group = _unsubscribe_target(token)
            preferences.unsubscribe(user, kind, group)
    except InvalidToken:
        return render_template("notify/link_refused.html", reason="invalid"), 400
    return render_template("notify/unsubscribed.html", label=_kind_label(kind), group=group)


def _kind_label(kind: str) -> str:
    if kind == "new_events":
        return _("Mails about new events")
    return str(PERSONAL_LABELS[kind])


@bp.get("/mail/still-coming/<int:event_id>/<any(yes, release):action>/<token>")
def still_coming(event_id: int, action: str, token: str):
    try:
        event = coming.preview(token, event_id, action)
    except InvalidToken as error:
        return _refused("expired" if error.expired else "invalid", 400)
    except coming.LinkUsed:
        return _refused("used", 409)
    return render_template("notify/still_coming.html", event=event, action=action,
                           token=token)


@bp.post("/mail/still-coming/<int:event_id>/<any(yes, release):action>/<token>")
@csrf.exempt
def still_coming_answer(event_id: int, action: str, token: str):
    try:
        with transaction():
            event, _rsvp = coming.answer(token, event_id, action)
    except InvalidToken as error:
        return _refused("expired" if error.expired else "invalid", 400)
    except coming.LinkUsed:
        return _refused("used", 409)
    except RuleError as error:
        return render_template("notify/link_refused.html", reason="other",
                               message=error.message), error.status
    return render_template("notify/still_coming_done.html", event=event, action=action)


def _refused(reason: str, status: int):
    return render_template("notify/link_refused.html", reason=reason), status
