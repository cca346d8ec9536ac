"""Organiser changes to several dates of a series at once: cancel, publish, delete."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required

from meetup import policy
from meetup.database import transaction
from meetup.errors import RuleError
from meetup.series import bp, forms, queries, services
from meetup.series.pages import render_page
from meetup.series.rules import Scope


@bp.post("/<int:series_id>/<any(cancel, publish, delete):action>")
@login_required
def change(series_id: int, action: str):
    series, group, viewer = policy.load_series(series_id)
    policy.ensure(viewer, policy.Action.MANAGE, group)
    form = forms.SeriesCancelForm() if action == "cancel" else forms.SeriesDatesForm()
    if form.validate_on_submit():
        try:
            with transaction():
                count = _apply(action, _chosen_date(series_id, form.first.data), form)
        except RuleError as error:
            return _with_errors(series_id, action, form, error.status, str(error))
        flash(_message(action, count), "success")
        if not queries.exists(series_id):  # its last dates were deleted
            return redirect(url_for("groups.show", slug=group.slug))
        return redirect(url_for("series.show", series_id=series_id))
    return _with_errors(series_id, action, form, 422)


def _chosen_date(series_id: int, event_id: int):
    """The date chosen in the form, locked; it must belong to this series."""
    event, _viewer = policy.load_event(event_id, policy.Action.MANAGE, lock=True)
    if event.series_id != series_id:
        raise RuleError(_("Please choose a date of this series."), 422)
    return event


def _apply(action: str, event, form) -> int:
    scope = Scope(form.scope.data)
    if action == "cancel":
        return len(services.cancel_dates(event, scope, form.reason.data))
    if action == "publish":
        return len(services.publish_dates(event, scope))
    return services.delete_dates(event, scope)


def _message(action: str, count: int) -> str:
    if action == "cancel":
        return ngettext("%(num)d date is cancelled. It stays visible with your reason.",
                        "%(num)d dates are cancelled. They stay visible with your reason.",
                        count)
    if action == "publish":
        return ngettext("%(num)d date is published.", "%(num)d dates are published.", count)
    return ngettext("%(num)d draft is deleted.", "%(num)d drafts are deleted.", count)


def _with_errors(series_id: int, action: str, form, status: int, refusal: str = ""):
    series, group, viewer = policy.load_series(series_id)
    chosen = {"cancel_form": form} if action == "cancel" else {"dates_form": form}
    return render_page(series, group, viewer, open_action=action, status=status,
                       refusal=refusal, **chosen)
