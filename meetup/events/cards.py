"""Event cards of the event list, each rendered once per everything it shows and
kept in this process (least recently used go first).

A card is kept under its event's title, time, zone, place, visibility and
status, its club's name and city, its lifecycle (phase and numbers, read for
every request) and the language; it shows nothing about the viewer. A change
to any of these simply misses and renders the card anew.
"""

from collections.abc import Sequence

from flask import Flask, current_app
from flask_babel import get_locale
from markupsafe import Markup

from meetup.calendar.cache import LRU
from meetup.events import queries
from meetup.events.lifecycle import Lifecycle
from meetup.models import Event

TEMPLATE = "_partials/event_card.html"


def card_key(event: Event, card: Lifecycle) -> tuple:
    return (event.id, event.title, event.starts_at, event.ends_at, event.timezone,
            event.venue_name, str(event.visibility), str(event.status), event.group.name,
            event.group.city, card, str(get_locale()))


def rendered_cards(events: Sequence[Event]) -> dict[int, Markup]:
    """Each event's card, kept or rendered; its lifecycle in one query for all."""
    cards = queries.event_cards(events)
    kept = current_app.extensions["event_cards"]
    template = current_app.jinja_env.get_template(TEMPLATE)
    found = {}
    for event in events:
        key = card_key(event, cards[event.id])
        html = kept.get(key)
        if html is None:
            html = template.render(event=event, card=cards[event.id])
            kept.put(key, html)
        found[event.id] = Markup(html)
    return found


def init_app(app: Flask) -> None:
    app.extensions["event_cards"] = LRU(app.config["EVENT_CARD_CACHE"])
