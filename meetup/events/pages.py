"""The event page, rendered for member routes and for organiser forms with errors."""

from flask import abort, redirect, render_template, url_for

from meetup import policy
from meetup.calendar import links
from meetup.events import forms, queries, rsvp
from meetup.models import Event, utcnow
from meetup.people.blocks import attendee_block
from meetup.people.preview import FIRST_PAGE, PER_PAGE
from meetup.series import queries as series_queries
from meetup.urls import external_url


def render_page(event: Event, viewer: policy.Viewer, form: forms.RSVPForm | None = None,
                status: int = 200, cancel_form: forms.CancelForm | None = None):
    """The event page; organiser forms with their errors come from manage_views.
    What it offers follows the event's lifecycle: a past or cancelled event
    has no RSVP form, no calendar links and no attendee preview."""
    mine = rsvp.mine(event, viewer.user)
    life = queries.event_life(event)
    meta = None if viewer.user is not None else {"csrf": False}
    preview = None
    if life.is_ahead and policy.may_see_attendees(viewer, mine):
        preview = attendee_block("events/_preview.html", event, viewer.user, 1, FIRST_PAGE)
    return render_template(
        "events/show.html", event=event, viewer=viewer, mine=mine, life=life,
        position=rsvp.waitlist_position(mine) if mine else None, preview=preview,
        options=rsvp.options(event, viewer, mine, life.seats_left),
        show_online_link=life.is_ahead and policy.may_see_online_link(mine),
        # A form makes its CSRF token, and the token a session: an anonymous
        # visitor, who is offered no form, gets neither (nor a cookie).
        form=form or forms.RSVPForm(guests=mine.guests if mine else 0, meta=meta),
        may_manage=policy.can(viewer, policy.Action.MANAGE, event.group),
        cancel_form=cancel_form or forms.CancelForm(meta=meta),
        calendar_links=_calendar_links(event) if life.offers_calendar else None,
        meet_link=policy.may_record_meetings(viewer.user, event, utcnow()),
        series=series_queries.summary(event, viewer),
    ), status


def render_attendees(event: Event, viewer: policy.Viewer, page: int):
    """All attendees page by page, for those who may see the preview (else 404,
    as for an event they may not see), while the event page shows one."""
    mine = rsvp.mine(event, viewer.user)
    if not policy.may_see_attendees(viewer, mine):
        abort(404)
    life = queries.event_life(event)
    if not life.is_ahead:
        return redirect(url_for("events.show", event_id=event.id))
    block = attendee_block("events/_attendee_page.html", event, viewer.user, page, PER_PAGE)
    return render_template("events/attendees.html", event=event, block=block, life=life)


def _calendar_links(event: Event) -> dict[str, str]:
    url = external_url("events.show", event_id=event.id)
    return {"google": links.google(event, url), "outlook": links.outlook(event, url)}
