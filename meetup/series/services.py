"""Changes to several dates of a series at once: cancel, publish, delete.
Functions flush and never commit; refusals raise ``RuleError``."""

from flask_babel import lazy_ngettext as _nl
from sqlalchemy import select

from meetup.errors import RuleError
from meetup.events.services import cancel, publish
from meetup.extensions import db
from meetup.models import Event
from meetup.series.rules import Scope, dates_in_scope


def cancel_dates(event: Event, scope: Scope, reason: str) -> list[Event]:
    """Cancel the published dates in scope: each stays visible with the reason,
    its RSVPs stay, and its calendar SEQUENCE goes up. Drafts are left alone."""
    targets = [target for target in dates_in_scope(event, scope) if target.is_published]
    for target in targets:
        cancel(target, reason)
    db.session.flush()
    return targets


def publish_dates(event: Event, scope: Scope) -> list[Event]:
    targets = [target for target in dates_in_scope(event, scope) if target.is_draft]
    for target in targets:
        publish(target)
    db.session.flush()
    return targets


def delete_dates(event: Event, scope: Scope) -> int:
    """Delete the dates in scope, all or none, and the series once it has no dates.

    Only drafts: a published date may be in calendars already (the club's feed, a
    downloaded invitation) even when nobody registered, and only a cancellation
    reaches them. A published or cancelled date in scope refuses the lot."""
    targets = dates_in_scope(event, scope)
    published = sum(1 for target in targets if not target.is_draft)
    if published:
        raise RuleError(_nl(
            "%(num)d of these dates is published. Cancel it instead: a cancellation "
            "reaches the calendars it is in, a deletion does not.",
            "%(num)d of these dates are published. Cancel them instead: a cancellation "
            "reaches the calendars they are in, a deletion does not.", published), 409)
    series = event.series
    for target in targets:
        db.session.delete(target)
    db.session.flush()
    if series is not None and db.session.scalar(
            select(Event.id).where(Event.series_id == series.id).limit(1)) is None:
        db.session.delete(series)
        db.session.flush()
    return len(targets)
