"""Organisers write to many: to the people of an event or to all of a club's members."""

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


def _announce_page(group, event, form, status=200):
    return render_template("notify/announce.html", group=group, event=event, form=form,
                           log=announcements.recent(group, event),
                           audiences={choice.value: choice.label for choice in EVENT_AUDIENCES}
                           ), status


@groups_bp.route("/<slug>/manage/announcements", methods=["GET", "POST"])
@login_required
def announce(slug: str):
    group, _viewer = policy.load_group(slug, Action.MANAGE)
    form = AnnouncementForm().for_club()
    if form.validate_on_submit():
        try:
            with transaction():
                group, _viewer = policy.load_group(slug, Action.MANAGE)
                entry = announcements.announce(current_user, group, None, Audience.MEMBERS,
                                               form.subject.data, form.text.data)
                count = entry.recipient_count
        except RuleError as error:
            form.text.errors.append(str(error))
            return _announce_page(group, None, form, error.status)
        flash(_sent(count), "success")
        return redirect(url_for("groups.announce", slug=slug))
    return _announce_page(group, None, form, 422 if form.errors else 200)


@events_bp.route("/<int:event_id>/manage/announce", methods=["GET", "POST"])
@login_required
def announce_event(event_id: int):
    event, _viewer = policy.load_event(event_id, Action.MANAGE)
    form = AnnouncementForm()
    if form.validate_on_submit():
        try:
            with transaction():
                event, _viewer = policy.load_event(event_id, Action.MANAGE)
                entry = announcements.announce(current_user, event.group, event,
                                               Audience(form.audience.data),
                                               form.subject.data, form.text.data)
                count = entry.recipient_count
        except RuleError as error:
            form.text.errors.append(str(error))
            return _announce_page(event.group, event, form, error.status)
        flash(_sent(count), "success")
        return redirect(url_for("events.announce_event", event_id=event_id))
    return _announce_page(event.group, event, form, 422 if form.errors else 200)
