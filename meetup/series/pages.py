"""The series page, rendered for the page itself and for organiser forms with errors."""

from flask import abort, render_template

from meetup import policy
from meetup.i18n import date_long, time_short
from meetup.models import EventSeries, Group
from meetup.series import forms, queries


def render_page(series: EventSeries, group: Group, viewer: policy.Viewer,
                cancel_form: forms.SeriesCancelForm | None = None,
                dates_form: forms.SeriesDatesForm | None = None,
                open_action: str = "", status: int = 200, refusal: str = ""):
    dates = queries.dates(series, group, viewer)
    if not dates:
        abort(404)  # nothing of it is visible to this visitor
    upcoming = [date.event for date in dates if not date.is_over]
    choices = [(event.id, f"{date_long(event.starts_at, event.timezone)}, "
                          f"{time_short(event.starts_at, event.timezone)}") for event in upcoming]
    cancel_form = cancel_form or forms.SeriesCancelForm(formdata=None)
    dates_form = dates_form or forms.SeriesDatesForm(formdata=None)
    for form in (cancel_form, dates_form):
        form.fill(choices)
    first = dates[0].event
    return render_template(
        "series/show.html", series=series, group=group, dates=dates,
        rule=queries.describe(series, first.starts_at, first.timezone),
        may_manage=policy.can(viewer, policy.Action.MANAGE, group),
        next_date=next((event for event in upcoming if not event.is_cancelled), None),
        has_drafts=any(event.is_draft for event in upcoming),
        has_published=any(event.is_published for event in upcoming),
        cancel_form=cancel_form, dates_form=dates_form, open_action=open_action,
        refusal=refusal), status
