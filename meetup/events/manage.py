"""Organiser pages for events: create, edit, duplicate, cancel, publish,
delete drafts, check-in and attendee changes, attendee export and badges."""

import csv
import io

import segno
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from meetup.events import editing, forms, rsvp, timing
from meetup.events.services import event_counts
from meetup.events.views import bp, load, render_page
from meetup.extensions import db
from meetup.groups.policy import Action, ensure
from meetup.groups.views import load as load_group
from meetup.labels import INDUSTRIES
from meetup.models import RSVP, Event, Membership, RSVPStatus, SeriesFrequency, User
from meetup.people.preview import build as build_preview
from meetup.people.privacy import ANSWERED, may_see_profile, visible_condition
from meetup.search import contains
from meetup.urls import external_url


def load_managed(event_id: int) -> tuple[Event, object]:
    event, viewer = load(event_id)
    ensure(viewer, Action.MANAGE, event.group)
    return event, viewer


MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database
MAX_WALK_IN = 20  # members offered to add at the door, per search
# A cell starting like this is a formula to spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def schedule_from(form: forms.EventForm) -> editing.Schedule:
    return editing.Schedule(start=form.starts_at.data, end=form.ends_at.data,
                            timezone=form.timezone.data, rsvp_opens=form.rsvp_opens_at.data,
                            rsvp_closes=form.rsvp_closes_at.data,
                            folds={key: form.fold(name)
                                   for name, key in forms.LOCAL_TIMES.items()})


def fill_times(form: forms.EventForm, event: Event) -> None:
    """The stored instants as wall-clock times in the event's zone."""
    for name in forms.LOCAL_TIMES:
        value = getattr(event, name)
        local = value.astimezone(event.zone) if value else None
        form[name].data = local.replace(tzinfo=None) if local else None
        if local and timing.is_ambiguous(form[name].data, event.zone):
            form.offer_fold(name, event.zone, local.fold)


def values_from(form: forms.EventForm) -> dict:
    return {name: getattr(form, name).data for name in editing.EDITABLE} | {
        "description": form.description.data or "", "speaker_bio": form.speaker_bio.data or ""}


@bp.route("/new/<slug>", methods=["GET", "POST"])
@login_required
def create(slug: str):
    group, _viewer = load_group(slug, Action.MANAGE)
    form = forms.NewEventForm(timezone=group.timezone)
    if form.validate_on_submit():
        repeat = None
        if form.repeat.data:
            repeat = editing.Repeat(SeriesFrequency(form.repeat.data), form.interval.data or 1,
                                    form.until.data, form.count.data)
        try:
            events = editing.create(group, current_user, values_from(form), schedule_from(form),
                                    publish=request.form.get("action") != "draft",
                                    repeat=repeat)
        except editing.EventError as error:
            db.session.rollback()
            form.starts_at.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("The event is saved.") if len(events) == 1 else
                  _("%(num)d dates of the series are saved.", num=len(events)), "success")
            return redirect(url_for("events.show", event_id=events[0].id))
    return render_template("events/form.html", form=form, group=group, event=None), (
        422 if form.errors else 200)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit(event_id: int):
    event, _viewer = load_managed(event_id)
    form = forms.EditEventForm(obj=event)
    if request.method == "GET":
        fill_times(form, event)
    if form.validate_on_submit():
        try:
            changed = editing.update(event, values_from(form), schedule_from(form),
                                     following=form.scope.data == "following")
        except editing.EventError as error:
            db.session.rollback()
            form.starts_at.errors.append(str(error))
        else:
            db.session.commit()
            flash(ngettext("The change is saved.", "The change is saved for %(num)d events.",
                           len(changed)), "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, group=event.group, event=event), (
        422 if form.errors else 200)


@bp.post("/<int:event_id>/duplicate")
@login_required
def duplicate(event_id: int):
    event, _viewer = load_managed(event_id)
    copy = editing.duplicate(event, current_user)
    db.session.commit()
    flash(_("A draft copy one week later was created. Check it and publish it."), "success")
    return redirect(url_for("events.edit", event_id=copy.id))


@bp.post("/<int:event_id>/cancel")
@login_required
def cancel(event_id: int):
    event, viewer = load_managed(event_id)
    form = forms.CancelForm()
    if not form.validate_on_submit():
        return render_page(event, viewer, cancel_form=form, status=422)
    editing.cancel(event, form.reason.data)
    db.session.commit()
    flash(_("The event is cancelled. It stays visible with your reason."), "success")
    return redirect(url_for("events.show", event_id=event_id))


@bp.post("/<int:event_id>/publish")
@login_required
def publish(event_id: int):
    event, _viewer = load_managed(event_id)
    editing.publish(event)
    db.session.commit()
    flash(_("The event is published."), "success")
    return redirect(url_for("events.show", event_id=event_id))


@bp.post("/<int:event_id>/delete")
@login_required
def delete(event_id: int):
    event, _viewer = load_managed(event_id)
    slug = event.group.slug
    try:
        editing.delete_draft(event)
    except editing.EventError as error:
        flash(str(error), "error")
        return redirect(url_for("events.show", event_id=event_id))
    db.session.commit()
    flash(_("The draft is deleted."), "success")
    return redirect(url_for("groups.show", slug=slug))


def load_person(event: Event, user_id: int | None) -> tuple[User, RSVP | None]:
    """Someone organisers may act on at the door: a member of the club or a
    person who said yes (or waits) for this event. Anyone else is a 404, so
    the check-in pages never tell whether an account exists."""
    if user_id is None or not 0 < user_id <= MAX_ID:
        abort(404)
    entry = db.session.scalar(select(RSVP).filter_by(event_id=event.id, user_id=user_id))
    answered = entry is not None and (entry.status in ANSWERED or entry.checked_in_at)
    if not answered and db.session.scalar(select(Membership.id).filter_by(
            group_id=event.group_id, user_id=user_id)) is None:
        abort(404)
    return db.get_or_404(User, user_id), entry


def is_listed(entry: RSVP | None, person: User) -> bool:
    """Named on the check-in list: going or waiting, not hidden, and the
    profile open to this organiser. Everyone else checks in with the ticket."""
    return (entry is not None and entry.status in ANSWERED and not entry.hidden
            and may_see_profile(current_user, person))


def walk_in_candidates(event: Event):
    """Members the organiser may see, except those named as going. People
    going unlisted stay among them: searching their name finds them like
    any member not registered, so nothing singles them out."""
    named_going = select(RSVP.user_id).where(RSVP.event_id == event.id, ~RSVP.hidden,
                                             RSVP.status == RSVPStatus.GOING)
    return (select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.group_id == event.group_id, visible_condition(current_user),
                   User.id.not_in(named_going)))


def back_to_list(event_id: int, q: str = ""):
    return redirect(url_for("events.check_in_list", event_id=event_id, q=q.strip()[:100]))


@bp.get("/<int:event_id>/check-in")
@login_required
def check_in_list(event_id: int):
    event, _viewer = load_managed(event_id)
    q = request.args.get("q", "").strip()[:100]
    answered = (select(RSVP).join(RSVP.user).options(joinedload(RSVP.user))
                .where(RSVP.event_id == event.id,
                       RSVP.status.in_([RSVPStatus.GOING, RSVPStatus.WAITLIST])))
    # Names only as far as each person allows; the others check in with their QR code.
    listed = and_(~RSVP.hidden, visible_condition(current_user))
    unlisted = db.session.scalar(select(func.count()).select_from(
        answered.where(~listed).subquery()))
    query = answered.where(listed)
    if q:
        query = query.where(or_(contains(User.name, q), contains(User.company, q)))
    rows = db.session.scalars(query.order_by(RSVP.status, func.lower(User.name))).all()
    members = []
    if q:  # only on a search, so no list of names ever singles out unlisted people
        members = db.session.scalars(
            walk_in_candidates(event).where(or_(contains(User.name, q),
                                                contains(User.company, q)))
            .order_by(func.lower(User.name), User.id).limit(MAX_WALK_IN)).all()
    arrived = db.session.scalar(select(func.count(RSVP.id)).where(
        RSVP.event_id == event.id, RSVP.checked_in_at.is_not(None)))
    return render_template("events/check_in.html", event=event, rows=rows, q=q,
                           members=members, counts=event_counts(event), arrived=arrived,
                           unlisted=unlisted)


@bp.route("/<int:event_id>/check-in/<int:user_id>", methods=["GET", "POST"])
@login_required
def check_in_person(event_id: int, user_id: int):
    """The ticket's QR code opens this: organisers confirm with one tap."""
    event, _viewer = load_managed(event_id)
    person, entry = load_person(event, user_id)
    named = is_listed(entry, person)
    if request.method == "GET":
        return render_template("events/check_in_person.html", event=event, person=person,
                               entry=entry, named=named)
    rsvp.check_in(event.id, person)
    db.session.commit()
    flash(_("%(name)s is checked in.", name=person.name) if named
          else _("The ticket is checked in."), "success")
    return back_to_list(event_id, request.form.get("q", ""))


@bp.post("/<int:event_id>/check-in/<int:user_id>/undo")
@login_required
def undo_check_in(event_id: int, user_id: int):
    event, _viewer = load_managed(event_id)
    person, _entry = load_person(event, user_id)
    rsvp.undo_check_in(event.id, person)
    db.session.commit()
    return back_to_list(event_id)


@bp.post("/<int:event_id>/walk-in")
@login_required
def walk_in(event_id: int):
    event, _viewer = load_managed(event_id)
    user_id = request.form.get("user_id", type=int)
    person = None
    if user_id is not None and 0 < user_id <= MAX_ID:
        person = db.session.scalar(walk_in_candidates(event).where(User.id == user_id))
    if person is None:
        flash(_("Please choose a member from the list."), "error")
        return back_to_list(event_id)
    if request.form.get("action") == "register":
        try:
            rsvp.organiser_set(event.id, person, RSVPStatus.GOING)
        except rsvp.RSVPError as error:
            db.session.rollback()
            flash(str(error), "error")
            return back_to_list(event_id)
        message = _("%(name)s is registered.", name=person.name)
    else:
        rsvp.check_in(event.id, person)
        message = _("%(name)s is checked in.", name=person.name)
    db.session.commit()
    flash(message, "success")
    return back_to_list(event_id)


@bp.post("/<int:event_id>/attendees/<int:user_id>/<any(going, waitlist, not_going):status>")
@login_required
def set_attendee(event_id: int, user_id: int, status: str):
    event, _viewer = load_managed(event_id)
    person, _entry = load_person(event, user_id)
    try:
        rsvp.organiser_set(event.id, person, RSVPStatus(status))
    except rsvp.RSVPError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Saved."), "success")
    return back_to_list(event_id)


def _listed_attendees(event: Event):
    """Who may appear on exports: exactly what the organiser's preview lists."""
    return build_preview(event, current_user)


def safe_cell(value):
    """Text a spreadsheet would run as a formula gets a leading ' (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


@bp.get("/<int:event_id>/attendees.csv")
@login_required
def attendees_csv(event_id: int):
    event, _viewer = load_managed(event_id)
    preview = _listed_attendees(event)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")  # what German spreadsheet apps expect
    writer.writerow([_("Name"), _("Company"), _("Position"), _("Industry"), _("Headline"),
                     _("Title"), _("Status"), _("Guests"), _("Checked in")])
    for entry in [*preview.going, *preview.waiting]:
        person = entry.user
        writer.writerow([safe_cell(value) for value in (
            person.name, person.company, person.position,
            str(INDUSTRIES.get(person.industry, person.industry)), person.headline,
            preview.titles.get(person.id, ""),
            _("Going") if entry.status == RSVPStatus.GOING else _("Waitlist"),
            entry.guests, _("yes") if entry.checked_in_at else "")])
    filename = f"teilnehmende-{event.id}.csv"
    return Response("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/<int:event_id>/badges")
@login_required
def badges(event_id: int):
    event, _viewer = load_managed(event_id)
    preview = _listed_attendees(event)
    codes = {entry.user_id: Markup(segno.make(
        external_url("events.check_in_person", event_id=event.id, user_id=entry.user_id),
        error="m").svg_inline(scale=3, dark="#1f2937")) for entry in preview.going}
    return render_template("events/badges.html", event=event, preview=preview, codes=codes)
