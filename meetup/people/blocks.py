"""The attendee blocks of the event page (people to meet, a first page of who is
coming) and of the attendee page (filters, one page, pagination), rendered once
and kept.

A block is kept under everything it is rendered from: the event, the viewer
and their attendee-list version (``roster.version``: the event's version, the
viewer's memberships, answers, blocks and profile), the language, the page and
every query argument. A block is never shown to another viewer, and any change
to what it shows gives a new version, so the next request simply renders anew.
"""

import hashlib

from flask import current_app, render_template, request
from flask_babel import get_locale
from markupsafe import Markup

from meetup.models import Event, User
from meetup.people import roster
from meetup.people.preview import build


def block_key(template: str, event: Event, viewer: User, current: str, page: int,
              per_page: int) -> str:
    arguments = sorted(request.args.items(multi=True))
    text = repr((template, event.id, viewer.id, current, str(get_locale()), arguments,
                 page, per_page))
    return hashlib.sha256(text.encode()).hexdigest()


def attendee_block(template: str, event: Event, viewer: User, page: int,
                   per_page: int) -> Markup:
    """The rendered block for this viewer: kept, else rendered and kept."""
    current = roster.version(event, viewer)
    name = block_key(template, event, viewer, current, page, per_page)
    store = current_app.extensions["attendee_blocks"]
    found = store.get(name)
    if found is not None:
        return Markup(found.decode())
    preview = build(event, viewer, request.args.get("industry", "")[:80],
                    request.args.get("topic", "")[:60], request.args.get("sort", "name"),
                    page, per_page, current=current)
    html = render_template(template, event=event, preview=preview)
    store.put(name, html.encode())
    return Markup(html)
