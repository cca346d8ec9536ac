"""Event pages for everyone: browse, the event page, RSVP, ticket, my events."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import segno
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from meetup.calendar import links
from meetup.events import forms, rsvp
from meetup.events.services import event_counts, going_counts, visible_events
from meetup.extensions import db
from meetup.groups.policy import (
    Action,
    Viewer,
    can,
    can_rsvp,
    can_see_event,
    member_group_ids,
    viewer_for,
    visible_event_condition,
)
from meetup.labels import EVENT_KINDS
from meetup.models import RSVP, Event, EventStatus, Group, RSVPStatus, Visibility, utcnow
from meetup.pagination import paginate
from meetup.people.preview import build as build_preview
from meetup.search import contains
from meetup.urls import external_url

bp = Blueprint("events", __name__, url_prefix="/events")
PER_PAGE = 20
BERLIN = ZoneInfo("Europe/Berlin")


def load(event_id: int) -> tuple[Event, Viewer]:
    """The event and the visitor's standing in its group, or 404."""
    event = db.get_or_404(Event, event_id)
    viewer = viewer_for(current_user, event.group)
    if not can_see_event(viewer, event):
        abort(404)
    return event, viewer



@bp.get("/")
def index():
    form = forms.BrowseForm(request.args)
    user = current_user if current_user.is_authenticated else None
    _fill_choices(form, user)
    form.validate()  # a bad date gets its message next to the field and is left out
    query = visible_events(user)
    # Dates are the visitor's calendar days.
    zone = ZoneInfo(user.timezone) if user is not None else BERLIN
    start, end = form.date_filter("date_from"), form.date_filter("date_to")
    query = query.where(Event.ends_at >= (
        datetime.combine(start, time(), zone) if start else utcnow()))
    if end:
        query = query.where(Event.starts_at < datetime.combine(end, time.max, zone))
    if form.q.data:
        query = query.where(or_(contains(Event.title, form.q.data),
                                contains(Event.description, form.q.data),
                                contains(Group.name, form.q.data)))
    if form.city.data:
        query = query.where(Group.city == form.city.data)
    if form.group.data:
        query = query.where(Group.slug == form.group.data)
    if form.kind.data in EVENT_KINDS:
        query = query.where(Event.kind == form.kind.data)
    page = paginate(query.order_by(Event.starts_at, Event.id), PER_PAGE)
    return render_template("events/index.html", form=form, page=page,
                           going=going_counts(page.items)), (
        422 if form.date_from.errors or form.date_to.errors else 200)


def _fill_choices(form: forms.BrowseForm, user) -> None:
    groups = select(Group).where(Group.visibility == Visibility.PUBLIC)
    if user is not None:
        groups = select(Group).where((Group.visibility == Visibility.PUBLIC)
                                     | Group.id.in_(member_group_ids(user)))
    groups = db.session.scalars(groups.order_by(Group.name)).all()
    form.group.choices = [("", _("All clubs")), *[(g.slug, g.name) for g in groups]]
    cities = sorted({g.city for g in groups if g.city})
    form.city.choices = [("", _("All cities")), *[(city, city) for city in cities]]
    form.kind.choices = [("", _("All kinds")), *[(k, str(v)) for k, v in EVENT_KINDS.items()]]


@bp.get("/<int:event_id>")
def show(event_id: int):
    event, viewer = load(event_id)
    return render_page(event, viewer)


def render_page(event: Event, viewer: Viewer, form: forms.RSVPForm | None = None,
                status: int = 200, cancel_form: forms.CancelForm | None = None):
    mine = None
    if viewer.user is not None:
        mine = db.session.scalar(select(RSVP).filter_by(event_id=event.id,
                                                        user_id=viewer.user.id))
    counts = event_counts(event)
    answered = mine is not None and mine.status in (RSVPStatus.GOING, RSVPStatus.WAITLIST)
    preview = None
    if viewer.is_member or answered:  # the attendee preview: members and people going
        preview = build_preview(event, viewer.user, request.args.get("industry", ""),
                                request.args.get("topic", "")[:60],
                                request.args.get("sort", "name"))
    return render_template(
        "events/show.html", event=event, viewer=viewer, mine=mine, counts=counts,
        position=rsvp.waitlist_position(mine) if mine else None, preview=preview,
        state=rsvp_state(event, viewer, mine, counts),
        form=form or forms.RSVPForm(guests=mine.guests if mine else 0),
        may_manage=can(viewer, Action.MANAGE, event.group),
        cancel_form=cancel_form or forms.CancelForm(),
        calendar_links=_calendar_links(event),
    ), status


def _calendar_links(event: Event) -> dict[str, str]:
    url = external_url("events.show", event_id=event.id)
    return {"google": links.google(event, url), "outlook": links.outlook(event, url)}


def rsvp_state(event: Event, viewer: Viewer, mine: RSVP | None, counts: dict) -> str:
    """The one word the RSVP control shows: going, waitlist, cancelled, closed, full…"""
    if event.status == EventStatus.CANCELLED:
        return "cancelled"
    if mine is not None and mine.status in (RSVPStatus.GOING, RSVPStatus.WAITLIST):
        return str(mine.status)
    now = utcnow()
    if event.status == EventStatus.DRAFT or now >= event.rsvp_deadline():
        return "closed"
    if event.rsvp_opens_at and now < event.rsvp_opens_at:
        return "not_open"
    if viewer.user is None:
        return "login"
    if not can_rsvp(viewer, event):
        return "members_only"
    return "full" if counts["left"] == 0 else "open"


@bp.post("/<int:event_id>/rsvp")
@login_required
def respond(event_id: int):
    event, viewer = load(event_id)
    if not can_rsvp(viewer, event):
        abort(403)
    form = forms.RSVPForm()
    going = request.form.get("answer") == "yes"
    if not form.validate_on_submit():
        return render_page(event, viewer, form, 422)
    try:
        result = rsvp.respond(event.id, current_user, going, form.guests.data or 0)
    except rsvp.RSVPError as error:
        db.session.rollback()
        form.guests.errors.append(str(error))
        return render_page(event, viewer, form, error.status)
    message = _rsvp_message(result)  # the waitlist position while the event is locked
    db.session.commit()
    flash(message, "success" if result.status != RSVPStatus.WAITLIST else "info")
    return redirect(url_for("events.show", event_id=event_id))


def _rsvp_message(result: RSVP) -> str:
    if result.status == RSVPStatus.GOING:
        return _("Great that you are coming! We look forward to seeing you.")
    if result.status == RSVPStatus.WAITLIST:
        return _("The event is full. You are on the waitlist at position %(num)d; "
                 "we move you up automatically when a seat is free.",
                 num=rsvp.waitlist_position(result))
    return _("Thank you for letting us know. Maybe next time!")


@bp.post("/<int:event_id>/listing")
@login_required
def listing(event_id: int):
    """'Don't list me': counted among those going, but not named."""
    event, _viewer = load(event_id)
    mine = db.session.scalar(select(RSVP).filter_by(event_id=event.id, user_id=current_user.id))
    if mine is None:
        abort(404)
    mine.hidden = request.form.get("hidden") == "y"
    db.session.commit()
    flash(_("You are not named in the list of attendees.") if mine.hidden
          else _("You are named in the list of attendees again."), "success")
    return redirect(url_for("events.show", event_id=event_id))


@bp.get("/<int:event_id>/ticket")
@login_required
def ticket(event_id: int):
    event, viewer = load(event_id)
    mine = db.session.scalar(select(RSVP).filter_by(event_id=event.id, user_id=current_user.id))
    if mine is None or mine.status != RSVPStatus.GOING:
        flash(_("You have no ticket for this event."), "info")
        return redirect(url_for("events.show", event_id=event_id))
    link = external_url("events.check_in_person", event_id=event.id, user_id=current_user.id)
    qr = Markup(segno.make(link, error="m").svg_inline(scale=6, title=_("Check-in code"),
                                                        dark="#1f2937"))
    return render_template("events/ticket.html", event=event, rsvp=mine, qr=qr, link=link)


@bp.get("/mine")
@login_required
def mine():
    rows = db.session.scalars(
        select(RSVP).join(RSVP.event).options(joinedload(RSVP.event).joinedload(Event.group))
        .join(Event.group)
        .where(RSVP.user_id == current_user.id,
               RSVP.status.in_([RSVPStatus.GOING, RSVPStatus.WAITLIST]),
               visible_event_condition(current_user))
        .order_by(Event.starts_at)).all()
    now = utcnow()
    upcoming = [r for r in rows if r.event.ends_at >= now]
    past = [r for r in reversed(rows) if r.event.ends_at < now and r.status == RSVPStatus.GOING]
    attended = sum(1 for r in past if r.checked_in_at)
    return render_template("events/mine.html", upcoming=upcoming, past=past, attended=attended,
                           going=going_counts([r.event for r in upcoming]))
