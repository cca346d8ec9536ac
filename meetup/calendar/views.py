"""Calendar downloads and feeds, with conditional requests; feed settings.

Feeds are read by calendar apps many times an hour: they run without a session
(no user, no cookie), answer a conditional request with a 304 after one small
statement (``stamps``), serve an unchanged feed as it was written, and write
anew only the events that changed (``render``, ``cache``).
"""

from email.utils import parseaddr

from flask import (
    Blueprint,
    Response,
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

from meetup.calendar import birthdays, cache, feeds, render, stamps, unchanged
from meetup.database import transaction
from meetup.events.rsvp import mine as my_rsvp
from meetup.extensions import limiter
from meetup.i18n import current_language
from meetup.models import RSVPStatus
from meetup.policy import Action, Viewer, can, load_event, may_see_online_link
from meetup.security import session_read_only, stateless
from meetup.urls import site_domain

bp = Blueprint("calendar", __name__)
bp.record_once(lambda state: cache.init_app(state.app))
bp.record_once(lambda state: unchanged.init_app(state.app))
CONTENT_TYPE = "text/calendar; charset=utf-8"
ANONYMOUS = Viewer(user=None)
FEEDS = frozenset({"calendar.group_feed", "calendar.personal_feed"})


@limiter.request_filter
def feeds_are_not_limited() -> bool:
    """Calendar apps poll feeds, many from one address (a provider's servers): no
    per-address limit applies, and none is looked up."""
    return request.endpoint in FEEDS


def organizer_email() -> str:
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1] or "noreply@treffpunkt.local"


def plain(message: str, status: int) -> Response:
    """A short answer calendar apps can log (they show no HTML)."""
    return Response(message + "\n", status=status, mimetype="text/plain")


def conditional(fingerprint: feeds.Fingerprint, build, cache_control: str,
                filename: str | None = None):
    """Answer 304 when the client has this version; otherwise build and send
    (``build`` may refuse with a response of its own)."""
    headers = {"ETag": f'"{fingerprint.etag}"', "Cache-Control": cache_control}
    if not is_resource_modified(request.environ, etag=fingerprint.etag,
                                last_modified=fingerprint.last_modified):
        response = Response(status=304, headers=headers)
    else:
        body = build()
        if isinstance(body, Response):
            return body
        response = Response(body, content_type=CONTENT_TYPE, headers=headers)
        if filename:
            response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if fingerprint.last_modified:
        response.last_modified = fingerprint.last_modified
    return response


def kept(key: str, fingerprint: feeds.Fingerprint, write) -> bytes:
    """The feed as written for this ETag, or ``write()``'s (body, still matches the
    ETag), kept if it does."""
    store = cache.caches().feeds
    body = store.get((key, fingerprint.etag))
    if body is None:
        body, matches = write()
        if matches:
            store.put((key, fingerprint.etag), body)
    return body


@bp.get("/events/<int:event_id>.ics")
@session_read_only
def event_ics(event_id: int):
    event, viewer = load_event(event_id)
    mine = my_rsvp(event, viewer.user)
    status = mine.status if mine else None
    row = render.Row.of(event, tentative=status == RSVPStatus.WAITLIST,
                        show_online_link=may_see_online_link(mine))
    language = current_language()
    # No Last-Modified: what a download shows depends on the viewer; the ETag covers it.
    stamp = feeds.fingerprint(row, event.group.short_description, language, status,
                              mine.updated_at if mine else None)

    def build():
        written = render.feed([row], name=event.title, description=event.group.name,
                              organizer_email=organizer_email(), language=language,
                              load=lambda ids: [event])
        if written.left_out:
            return plain(_("This event's date cannot be put into a calendar file."), 422)
        return written.body

    response = conditional(stamp, build, "private, max-age=300",
                           filename=f"treffpunkt-{event.id}.ics")
    response.vary.update(("Cookie", "Accept-Language"))
    return response


@bp.get("/groups/<slug>/calendar.ics")
@stateless
def group_feed(slug: str):
    stamps.read_statement_by_statement()
    found = stamps.group_stamp(slug)
    # A feed is what an anonymous visitor may see.
    if found is None or not can(ANONYMOUS, Action.VIEW, found[0]):
        return not_found()
    group, digest, seen = found
    language = current_app.config["BABEL_DEFAULT_LOCALE"]  # one public feed for everyone
    key = f"group:{group.id}"
    stamp = feeds.fingerprint(digest, group.name, group.short_description, language,
                              key=key, seen=seen)

    def write():
        rows, read_with = stamps.group_rows(group)
        written = render.feed(rows, name=group.name,
                              description=group.short_description or group.name,
                              organizer_email=organizer_email(), language=language,
                              load=lambda ids: feeds.load_events(
                                  feeds.group_feed_query(group), ids))
        return written.body, written.fresh and read_with == (digest,)

    return conditional(stamp, lambda: kept(key, stamp, write), "public, max-age=900")


@bp.get("/calendar/<token>.ics")
@stateless
def personal_feed(token: str):
    stamps.read_statement_by_statement()
    found = stamps.user_stamp(token)
    if found is None:
        return gone_or_unknown(token)
    user, digests, seen = found
    language = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.args.get("birthdays") == "1":
        return _with_birthdays(user, digests, language)
    key = f"user:{user.id}"
    stamp = feeds.fingerprint(*digests, user.calendar_all_groups, language, key=key,
                              seen=seen)

    return conditional(stamp, lambda: kept(key, stamp, lambda: _personal_body(
        user, digests, language)), "private, max-age=900")


def _personal_body(user, digests: tuple, language: str) -> tuple[bytes, bool]:
    """The personal feed's bytes, and whether they may be kept under its stamp."""
    rows, read_with = stamps.personal_rows(user)
    name, description = personal_texts(user.calendar_all_groups, language)
    written = render.feed(rows, name=name, description=description,
                          organizer_email=organizer_email(), language=language,
                          load=lambda ids: feeds.load_events(
                              feeds.personal_feed_query(user), ids))
    return written.body, written.fresh and read_with == digests


def _with_birthdays(user, digests: tuple, language: str):
    """The personal feed plus the contacts' birthdays: one more statement (the
    birthdays are part of the ETag), and its own cache key."""
    shared = birthdays.of_contacts(user)
    key = f"user:{user.id}:birthdays"
    stamp = feeds.fingerprint(*digests, user.calendar_all_groups, language, shared, key=key)

    def write():
        body, keep = _personal_body(user, digests, language)
        events = birthdays.vevents(shared, site_domain(), language)
        return birthdays.into_feed(body, events), keep

    return conditional(stamp, lambda: kept(key, stamp, write), "private, max-age=900")


def personal_texts(all_groups: bool, language: str) -> tuple[str, str]:
    # Calendar apps send no useful language: the feed speaks the owner's.
    with force_locale(language):
        name = _("Treffpunkt – my events")
        if all_groups:
            return name, _("Events you are going to or are on the waitlist for, and all "
                           "other events of your clubs, shown as free time")
        return name, _("Events you are going to, from Treffpunkt")


def asked_language() -> str:
    """The language a calendar app asks for: a feed has no session or account to
    take it from."""
    return (request.accept_languages.best_match(current_app.config["LANGUAGES"])
            or current_app.config["BABEL_DEFAULT_LOCALE"])


def not_found() -> Response:
    with force_locale(asked_language()):
        return plain(_("There is no calendar at this address."), 404)


def gone_or_unknown(token: str) -> Response:
    """Gone tells calendar apps to stop asking; an address never issued is not found."""
    if not feeds.was_issued(token):
        return not_found()
    with force_locale(asked_language()):
        return plain(_("This calendar address was replaced or switched off. "
                       "Create a new one in your Treffpunkt account."), 410)


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
