"""Event pages for everyone: browse, the event page, RSVP, ticket, my events."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import segno
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from meetup import policy
from meetup.database import transaction
from meetup.errors import RuleError
from meetup.events import bp, forms, kept, queries, rsvp
from meetup.events.cards import rendered_cards
from meetup.events.pages import render_attendees, render_page
from meetup.extensions import db
from meetup.labels import EVENT_KINDS
from meetup.models import DEFAULT_TIMEZONE, RSVP, Event, Group, RSVPStatus, utcnow
from meetup.pagination import page_number, window
from meetup.privacy import services as privacy_services
from meetup.search import matches_words
from meetup.urls import external_url

PER_PAGE = 20


@bp.get("/")
def index():
    form = forms.BrowseForm(request.args)
    user = policy.signed_in(current_user)
    _fill_choices(form, user)
    form.validate()  # a bad date gets its message next to the field and is left out
    query = queries.visible(user)
    # Dates are the visitor's calendar days.
    zone = ZoneInfo(user.timezone if user is not None else DEFAULT_TIMEZONE)
    start, end = form.date_filter("date_from"), form.date_filter("date_to")
    query = query.where(Event.ends_at >= (
        datetime.combine(start, time(), zone) if start else utcnow()))
    if end:
        query = query.where(Event.starts_at < datetime.combine(end, time.max, zone))
    if form.q.data:
        query = query.where(matches_words(form.q.data, Event.title, Event.description,
                                          Group.name, Group.city))
    if form.city.data:
        query = query.where(Group.city == form.city.data)
    if form.group.data:
        query = query.where(Group.slug == form.group.data)
    if form.kind.data in EVENT_KINDS:
        query = query.where(Event.kind == form.kind.data)
    page = window(query.order_by(Event.starts_at, Event.id), PER_PAGE)
    kept.offer_list(page.items, signed_in=user is not None)
    return render_template("events/index.html", form=form, page=page,
                           cards=rendered_cards(page.items)), (
        422 if form.date_from.errors or form.date_to.errors else 200)


def _fill_choices(form: forms.BrowseForm, user) -> None:
    # Only the three columns the choices show: a list of every club is long.
    groups = db.session.execute(select(Group.slug, Group.name, Group.city)
                                .where(policy.visible_groups(user)).order_by(Group.name)).all()
    form.group.choices = [("", _("All clubs")), *[(g.slug, g.name) for g in groups]]
    cities = sorted({g.city for g in groups if g.city})
    form.city.choices = [("", _("All cities")), *[(city, city) for city in cities]]
    form.kind.choices = [("", _("All kinds")), *[(k, str(v)) for k, v in EVENT_KINDS.items()]]


@bp.get("/<int:event_id>")
def show(event_id: int):
    event, viewer = policy.load_event(event_id)
    kept.offer(event, signed_in=viewer.user is not None)
    return render_page(event, viewer)


@bp.get("/<int:event_id>/attendees")
def attendees(event_id: int):
    event, viewer = policy.load_event(event_id)
    kept.offer(event, signed_in=viewer.user is not None)
    return render_attendees(event, viewer, page_number())


@bp.post("/<int:event_id>/rsvp")
@login_required
def respond(event_id: int):
    form = forms.RSVPForm()
    going = request.form.get("answer") == "yes"
    if not form.validate_on_submit():
        return render_page(*policy.load_event(event_id), form, 422)
    try:
        with transaction():
            event, viewer = policy.load_event(event_id, lock=True)
            result = rsvp.respond(event, viewer, going, form.guests.data or 0)
            privacy_services.apply_listing_choice(result, viewer.user)
            message, category = _rsvp_message(result)
    except RuleError as error:
        form.guests.errors.append(str(error))
        return render_page(*policy.load_event(event_id), form, error.status)
    flash(message, category)
    return redirect(url_for("events.show", event_id=event_id))


def _rsvp_message(result: RSVP) -> tuple[str, str]:
    """What to say, read while the event is locked (the waitlist position)."""
    if result.status == RSVPStatus.GOING:
        return _("Great that you are coming! We look forward to seeing you."), "success"
    if result.status == RSVPStatus.WAITLIST:
        return _("The event is full. You are on the waitlist at position %(num)d; "
                 "we move you up automatically when a seat is free.",
                 num=rsvp.waitlist_position(result)), "info"
    return _("Thank you for letting us know. Maybe next time!"), "success"


@bp.post("/<int:event_id>/listing")
@login_required
def listing(event_id: int):
    """'Don't list me': counted among those going, but not named."""
    with transaction():
        event, _viewer = policy.load_event(event_id)
        mine = rsvp.mine(event, current_user)
        if mine is None:
            abort(404)
        mine.hidden = hidden = request.form.get("hidden") == "y"
        privacy_services.record_event_listing(current_user, event.id, not hidden)
    flash(_("You are not named in the list of attendees.") if hidden
          else _("You are named in the list of attendees again."), "success")
    return redirect(url_for("events.show", event_id=event_id))


@bp.get("/<int:event_id>/ticket")
@login_required
def ticket(event_id: int):
    event, _viewer = policy.load_event(event_id)
    mine = rsvp.mine(event, current_user)
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
        .where(RSVP.user_id == current_user.id, RSVP.status.in_(policy.ANSWERED),
               policy.visible_events(current_user))
        .order_by(Event.starts_at)).all()
    now = utcnow()
    upcoming = [r for r in rows if r.event.ends_at >= now]
    # A cancelled evening is nobody's no-show.
    past = [r for r in reversed(rows) if r.event.ends_at < now and r.status == RSVPStatus.GOING
            and not r.event.is_cancelled]
    attended = sum(1 for r in past if r.checked_in_at)
    return render_template("events/mine.html", upcoming=upcoming, past=past, attended=attended,
                           cards=queries.event_cards([r.event for r in upcoming]))
