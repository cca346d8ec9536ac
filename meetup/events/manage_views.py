"""Organiser pages for events: create, edit, duplicate, cancel, publish,
delete drafts, check-in and attendee changes, attendee export and badges."""

import segno
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup

from meetup import policy
from meetup.database import transaction
from meetup.errors import RuleError
from meetup.events import bp, door, export, forms, queries, rsvp, services
from meetup.events.pages import render_page
from meetup.models import RSVP, Event, RSVPStatus, User, utcnow
from meetup.people.preview import build as build_preview
from meetup.policy import Action
from meetup.series import rules
from meetup.urls import external_url


def load_managed(event_id: int, lock: bool = False) -> tuple[Event, policy.Viewer]:
    return policy.load_event(event_id, Action.MANAGE, lock=lock)


MAX_WALK_IN = 20  # members offered to add at the door, per search


@bp.route("/new/<slug>", methods=["GET", "POST"])
@login_required
def create(slug: str):
    group, _viewer = policy.load_group(slug, Action.MANAGE)
    form = forms.NewEventForm(timezone=group.timezone)
    preview = None
    if form.validate_on_submit():
        ready, preview = _check(form)
        if ready:
            try:
                return _create(slug, form)
            except RuleError as error:
                form.starts_at.errors.append(str(error))
    return render_template("events/form.html", form=form, group=group, event=None,
                           preview=preview, max_dates=rules.MAX_OCCURRENCES,
                           default_counts=rules.DEFAULT_COUNTS), (422 if form.errors else 200)


def _check(form: forms.NewEventForm) -> tuple[bool, rules.Preview | None]:
    """Whether the form may be saved now, and the dates of its series to show
    first: a series is saved once the dates shown were confirmed unchanged."""
    try:
        services.validate(form.schedule(), utcnow(), new=True)
    except RuleError as error:
        form.starts_at.errors.append(str(error))
        return False, None
    repeat = form.repetition()
    if repeat is None:
        return True, None
    try:
        preview = rules.Preview(rules.occurrences(form.starts_at.data, repeat),
                                form.timezone.data, form.ends_at.data - form.starts_at.data)
    except RuleError as error:
        form.errors_for_series().append(str(error))
        return False, None
    confirmed = form.confirm.data == preview.signature
    form.confirm.data = preview.signature
    return confirmed, preview


def _create(slug: str, form: forms.NewEventForm):
    with transaction():
        group, _viewer = policy.load_group(slug, Action.MANAGE)
        events = services.create(group, current_user, form.values(), form.schedule(),
                                 publish=request.form.get("action") != "draft",
                                 repeat=form.repetition())
        first, count = events[0].id, len(events)
    flash(_("The event is saved.") if count == 1 else
          _("%(num)d dates of the series are saved.", num=count), "success")
    return redirect(url_for("events.show", event_id=first))


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit(event_id: int):
    event, _viewer = load_managed(event_id)
    form = forms.EditEventForm(obj=event)
    if request.method == "GET":
        form.fill_times(event)
        if request.args.get("scope") in {scope.value for scope in rules.Scope}:
            form.scope.data = request.args["scope"]  # "edit all dates" from the series page
    if form.validate_on_submit():
        try:
            with transaction():
                event, _viewer = load_managed(event_id, lock=True)
                changed = len(services.update(event, form.values(), form.schedule(),
                                              rules.Scope(form.scope.data),
                                              actor=current_user))
        except RuleError as error:
            form.starts_at.errors.append(str(error))
            event, _viewer = load_managed(event_id)
        else:
            flash(ngettext("The change is saved.", "The change is saved for %(num)d events.",
                           changed), "success")
            return redirect(url_for("events.show", event_id=event_id))
    return render_template("events/form.html", form=form, group=event.group, event=event), (
        422 if form.errors else 200)


@bp.post("/<int:event_id>/duplicate")
@login_required
def duplicate(event_id: int):
    with transaction():
        event, _viewer = load_managed(event_id)
        copy_id = services.duplicate(event, current_user).id
    flash(_("A draft copy one week later was created. Check it and publish it."), "success")
    return redirect(url_for("events.edit", event_id=copy_id))


@bp.post("/<int:event_id>/cancel")
@login_required
def cancel(event_id: int):
    form = forms.CancelForm()
    if not form.validate_on_submit():
        return render_page(*load_managed(event_id), cancel_form=form, status=422)
    try:
        with transaction():
            event, _viewer = load_managed(event_id, lock=True)
            services.cancel(event, form.reason.data, actor=current_user)
    except RuleError as error:
        flash(str(error), "error")
    else:
        flash(_("The event is cancelled. It stays visible with your reason."), "success")
    return redirect(url_for("events.show", event_id=event_id))


@bp.post("/<int:event_id>/publish")
@login_required
def publish(event_id: int):
    with transaction():
        event, _viewer = load_managed(event_id)
        services.publish(event)
    flash(_("The event is published."), "success")
    return redirect(url_for("events.show", event_id=event_id))


@bp.post("/<int:event_id>/delete")
@login_required
def delete(event_id: int):
    try:
        with transaction():
            event, _viewer = load_managed(event_id)
            slug = event.group.slug
            services.delete_draft(event)
    except RuleError as error:
        flash(str(error), "error")
        return redirect(url_for("events.show", event_id=event_id))
    flash(_("The draft is deleted."), "success")
    return redirect(url_for("groups.show", slug=slug))


def is_listed(entry: RSVP | None, person: User) -> bool:
    """Named on the check-in list: going or waiting, not hidden, and the
    profile open to this organiser. Everyone else checks in with the ticket."""
    return (entry is not None and entry.status in policy.ANSWERED and not entry.hidden
            and policy.may_see_profile(current_user, person))


def back_to_list(event_id: int, q: str = ""):
    return redirect(url_for("events.check_in_list", event_id=event_id, q=q.strip()[:100]))


@bp.get("/<int:event_id>/check-in")
@login_required
def check_in_list(event_id: int):
    event, _viewer = load_managed(event_id)
    q = request.args.get("q", "").strip()[:100]
    rows, unlisted, former = queries.check_in_rows(event, current_user, q)
    # Members to add at the door only on a search, so no list of names ever
    # singles out unlisted people.
    members = queries.walk_in_candidates(event, current_user, q, MAX_WALK_IN) if q else []
    return render_template("events/check_in.html", event=event, rows=rows, q=q,
                           members=members, life=queries.event_life(event),
                           unlisted=unlisted, former=former)


@bp.route("/<int:event_id>/check-in/<int:user_id>", methods=["GET", "POST"])
@login_required
def check_in_person(event_id: int, user_id: int):
    """The ticket's QR code opens this: organisers confirm with one tap."""
    event, _viewer = load_managed(event_id)
    person, entry = policy.load_attendee(event, user_id)
    named = is_listed(entry, person)
    if request.method == "GET":
        return render_template("events/check_in_person.html", event=event, person=person,
                               entry=entry, named=named)
    with transaction():
        event, _viewer = load_managed(event_id, lock=True)
        person, _entry = policy.load_attendee(event, user_id)
        door.check_in(event, person, actor=current_user)
    flash(_("%(name)s is checked in.", name=person.name) if named
          else _("The ticket is checked in."), "success")
    return back_to_list(event_id, request.form.get("q", ""))


@bp.post("/<int:event_id>/check-in/<int:user_id>/undo")
@login_required
def undo_check_in(event_id: int, user_id: int):
    """Take a check-in back: the person is again what they were before it."""
    with transaction():
        event, _viewer = load_managed(event_id, lock=True)
        person, entry = policy.load_attendee(event, user_id)
        named = is_listed(entry, person)
        before = door.undo_check_in(event, person, actor=current_user)
    flash(_undone(before, person.name) if named else _("The check-in is undone."),
          "success" if before else "info")
    return back_to_list(event_id, request.form.get("q", ""))


def _undone(before: str | None, name: str) -> str:
    if before == RSVPStatus.GOING:
        return _("%(name)s is no longer checked in and still registered as going.", name=name)
    if before == RSVPStatus.WAITLIST:
        return _("%(name)s is no longer checked in and back on the waitlist.", name=name)
    if before is None:
        return _("%(name)s was not checked in.", name=name)
    return _("%(name)s is no longer checked in and no longer registered.", name=name)


@bp.post("/<int:event_id>/walk-in")
@login_required
def walk_in(event_id: int):
    try:
        with transaction():
            event, _viewer = load_managed(event_id, lock=True)
            person = queries.walk_in(event, current_user, request.form.get("user_id", type=int))
            if person is None:
                raise RuleError(_("Please choose a member from the list."), 422)
            if request.form.get("action") == "register":
                rsvp.organiser_set(event, person, RSVPStatus.GOING, actor=current_user)
                message = _("%(name)s is registered.", name=person.name)
            else:
                door.check_in(event, person, actor=current_user)
                message = _("%(name)s is checked in.", name=person.name)
    except RuleError as error:
        flash(str(error), "error")
        return back_to_list(event_id)
    flash(message, "success")
    return back_to_list(event_id)


@bp.post("/<int:event_id>/attendees/<int:user_id>/<any(going, waitlist, not_going):status>")
@login_required
def set_attendee(event_id: int, user_id: int, status: str):
    try:
        with transaction():
            event, _viewer = load_managed(event_id, lock=True)
            person, entry = policy.load_attendee(event, user_id)
            name = person.name if is_listed(entry, person) else None
            now = rsvp.organiser_set(event, person, RSVPStatus(status),
                                     actor=current_user).status
    except RuleError as error:
        flash(str(error), "error")
    else:
        flash(_attendee_message(now, name), "success")
    return back_to_list(event_id, request.form.get("q", ""))


def _attendee_message(status: RSVPStatus, name: str | None) -> str:
    if name is None:
        return _("The registration is changed.")
    if status == RSVPStatus.GOING:
        return _("%(name)s is registered as going.", name=name)
    if status == RSVPStatus.WAITLIST:
        return _("%(name)s is on the waitlist.", name=name)
    return _("%(name)s is no longer registered.", name=name)


def _listed_attendees(event: Event):
    """Who may appear on exports: exactly what the organiser's preview lists."""
    return build_preview(event, current_user, per_page=None)


@bp.get("/<int:event_id>/attendees.csv")
@login_required
def attendees_csv(event_id: int):
    event, _viewer = load_managed(event_id)
    filename = _("attendees-%(event)d.csv", event=event.id)
    return Response(export.attendee_csv(_listed_attendees(event)),
                    content_type="text/csv; charset=utf-8",
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
