"""Organisers write to many: to the people of an event or to all of a club's members."""

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user, login_required

from meetup import policy
from meetup.database import transaction
from meetup.errors import RuleError
from meetup.events import bp as events_bp
from meetup.groups import bp as groups_bp
from meetup.models import Audience
from meetup.notify import announcements
from meetup.notify.forms import EVENT_AUDIENCES, AnnouncementForm
from meetup.policy import Action


def _sent(count: int) -> str:
    return ngettext("Your announcement is on its way to %(num)d person.",
                    "Your announcement is on its way to %(num)d people.", count)


def _club(slug: str):
    return policy.load_group(slug, Action.MANAGE)[0], None


def _event(event_id: int):
    event = policy.load_event(event_id, Action.MANAGE)[0]
    return event.group, event


def _announce(load: Callable[[], tuple], form: AnnouncementForm, back: str):
    """The announcement page (GET) or sending one (POST): ``load()`` gives the club
    and the event (None for the club's page), checked for ``MANAGE``."""
    group, event = load()
    if form.validate_on_submit():
        try:
            # Every copy is rendered before the transaction (and SQLite's write lock).
            drafted = announcements.draft(current_user, group, event,
                                          Audience(form.audience.data), form.subject.data,
                                          form.text.data)
            with transaction():
                group, event = load()
                count = announcements.send(drafted).recipient_count
        except RuleError as error:
            form.text.errors.append(str(error))
            return _page(group, event, form, error.status)
        flash(_sent(count), "success")
        return redirect(back)
    return _page(group, event, form, 422 if form.errors else 200)


def _page(group, event, form, status):
    return render_template("notify/announce.html", group=group, event=event, form=form,
                           log=announcements.recent(group, event),
                           audiences={choice.value: choice.label for choice in EVENT_AUDIENCES}
                           ), status


@groups_bp.route("/<slug>/manage/announcements", methods=["GET", "POST"])
@login_required
def announce(slug: str):
    return _announce(lambda: _club(slug), AnnouncementForm().for_club(),
                     url_for("groups.announce", slug=slug))


@events_bp.route("/<int:event_id>/manage/announce", methods=["GET", "POST"])
@login_required
def announce_event(event_id: int):
    return _announce(lambda: _event(event_id), AnnouncementForm(),
                     url_for("events.announce_event", event_id=event_id))
