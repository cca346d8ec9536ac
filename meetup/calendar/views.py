"""Calendar downloads and feeds, with conditional requests; feed settings."""

from email.utils import parseaddr

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.http import is_resource_modified

from meetup import policy
from meetup.calendar import feeds, ical
from meetup.database import transaction
from meetup.events.rsvp import mine as my_rsvp
from meetup.i18n import current_language
from meetup.models import RSVPStatus
from meetup.urls import external_url

bp = Blueprint("calendar", __name__)
CONTENT_TYPE = "text/calendar; charset=utf-8"


def organizer_email() -> str:
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1] or "noreply@treffpunkt.local"


def event_url(event) -> str:
    return external_url("events.show", event_id=event.id)


def plain(message: str, status: int) -> Response:
    """A short answer calendar apps can log (they show no HTML)."""
    return Response(message + "\n", status=status, mimetype="text/plain")


def conditional(fingerprint: feeds.Fingerprint, build, cache: str, filename: str | None = None):
    """Answer 304 when the client has this version; otherwise build and send."""
    headers = {"ETag": f'"{fingerprint.etag}"', "Cache-Control": cache}
    if not is_resource_modified(request.environ, etag=fingerprint.etag,
                                last_modified=fingerprint.last_modified):
        response = Response(status=304, headers=headers)
    else:
        response = Response(build(), content_type=CONTENT_TYPE, headers=headers)
        if filename:
            response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if fingerprint.last_modified:
        response.last_modified = fingerprint.last_modified
    return response


@bp.get("/events/<int:event_id>.ics")
def event_ics(event_id: int):
    event, viewer = policy.load_event(event_id)
    mine = my_rsvp(event, viewer.user)
    entry = ical.Entry(event, event_url(event),
                       tentative=bool(mine and mine.status == RSVPStatus.WAITLIST),
                       show_online_link=policy.may_see_online_link(mine))
    language = current_language()
    if ical.writable(entry, organizer_email()) is None:
        return plain(_("This event's date cannot be put into a calendar file."), 422)
    # No Last-Modified: what a download shows depends on the viewer; the ETag covers it.
    stamp = feeds.fingerprint(feeds.event_query(event), event.group.short_description,
                              language, mine.status if mine else None,
                              mine.updated_at if mine else None)
    response = conditional(stamp, lambda: ical.build(
        [entry], name=event.title, description=event.group.name,
        organizer_email=organizer_email(), language=language), "private, max-age=300",
        filename=f"treffpunkt-{event.id}.ics")
    response.vary.update(("Cookie", "Accept-Language"))
    return response


@bp.get("/groups/<slug>/calendar.ics")
def group_feed(slug: str):
    group, _viewer = policy.load_group(slug, policy.Action.VIEW)
    if group.is_private:
        abort(404)  # a feed is what an anonymous visitor may see
    query = feeds.group_feed_query(group)
    language = current_app.config["BABEL_DEFAULT_LOCALE"]  # one public feed for everyone
    stamp = feeds.fingerprint(query, group.name, group.short_description, language,
                              key=f"group:{group.id}")

    def build():
        entries = [ical.Entry(event, event_url(event)) for event in feeds.events(query)]
        return ical.build(entries, name=group.name,
                          description=group.short_description or group.name,
                          organizer_email=organizer_email(), language=language)

    return conditional(stamp, build, "public, max-age=900")


@bp.get("/calendar/<token>.ics")
def personal_feed(token: str):
    user = feeds.user_for_token(token)
    if user is None:
        # Gone tells calendar apps to stop asking; an address never issued is not found.
        if feeds.was_issued(token):
            return plain(_("This calendar address was replaced or switched off. "
                           "Create a new one in your Treffpunkt account."), 410)
        return plain(_("There is no calendar at this address."), 404)
    query = feeds.personal_feed_query(user)
    states = feeds.rsvp_states(user)
    language = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    stamp = feeds.fingerprint(query, user.calendar_all_groups, language, sorted(
        (event_id, str(r.status), r.updated_at) for event_id, r in states.items()),
        key=f"user:{user.id}")

    def build():
        entries = []
        for event in feeds.events(query):
            mine = states.get(event.id)
            status = mine.status if mine else None
            entries.append(ical.Entry(event, event_url(event),
                                      tentative=status == RSVPStatus.WAITLIST,
                                      show_online_link=policy.may_see_online_link(mine),
                                      busy=status == RSVPStatus.GOING))
        # Calendar apps send no useful language: the feed speaks the owner's.
        with force_locale(language):
            name = _("Treffpunkt – my events")
            if user.calendar_all_groups:
                description = _("Events you are going to or are on the waitlist for, and all "
                                "other events of your clubs, shown as free time")
            else:
                description = _("Events you are going to, from Treffpunkt")
        return ical.build(entries, name=name, description=description,
                          organizer_email=organizer_email(), language=language)

    return conditional(stamp, build, "private, max-age=900")


@bp.post("/account/calendar/<any(new, revoke, options):action>")
@login_required
def feed_settings(action: str):
    with transaction():
        if action == "new":
            token = feeds.new_token(current_user)
        elif action == "revoke":
            feeds.revoke_token(current_user)
        else:
            current_user.calendar_all_groups = request.form.get("all_groups") == "y"
    if action == "new":
        session["calendar_token"] = token  # shown once, on the next page
        flash(_("Your personal calendar address is ready. Copy it now: for your security "
                "we show it only this once."), "success")
    elif action == "revoke":
        session.pop("calendar_token", None)
        flash(_("The personal calendar address no longer works."), "info")
    else:
        flash(_("Your settings are saved."), "success")
    return redirect(url_for("account.settings") + "#calendar-heading")
