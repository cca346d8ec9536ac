"""The event page, rendered for member routes and for organiser forms with errors."""

from flask import render_template, request

from meetup import policy
from meetup.calendar import links
from meetup.events import forms, queries, rsvp
from meetup.models import Event, utcnow
from meetup.people.preview import build as build_preview
from meetup.series import queries as series_queries
from meetup.urls import external_url


def render_page(event: Event, viewer: policy.Viewer, form: forms.RSVPForm | None = None,
                status: int = 200, cancel_form: forms.CancelForm | None = None):
    """The event page; organiser forms with their errors come from manage_views.
    What it offers follows the event's lifecycle: a past or cancelled event
    has no RSVP form, no calendar links and no attendee preview."""
    mine = rsvp.mine(event, viewer.user)
    life = queries.event_life(event)
    preview = None
    if life.is_ahead and policy.may_see_attendees(viewer, mine):
        preview = build_preview(event, viewer.user, request.args.get("industry", ""),
                                request.args.get("topic", "")[:60],
                                request.args.get("sort", "name"))
    return render_template(
        "events/show.html", event=event, viewer=viewer, mine=mine, life=life,
        position=rsvp.waitlist_position(mine) if mine else None, preview=preview,
        options=rsvp.options(event, viewer, mine, life.seats_left),
        show_online_link=life.is_ahead and policy.may_see_online_link(mine),
        form=form or forms.RSVPForm(guests=mine.guests if mine else 0),
        may_manage=policy.can(viewer, policy.Action.MANAGE, event.group),
        cancel_form=cancel_form or forms.CancelForm(),
        calendar_links=_calendar_links(event) if life.offers_calendar else None,
        meet_link=policy.may_record_meetings(viewer.user, event, utcnow()),
        series=series_queries.summary(event, viewer),
    ), status


def _calendar_links(event: Event) -> dict[str, str]:
    url = external_url("events.show", event_id=event.id)
    return {"google": links.google(event, url), "outlook": links.outlook(event, url)}
