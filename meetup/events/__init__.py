"""Events: browse, the event page, RSVP (``views``); organiser pages (``manage_views``)."""

from flask import Blueprint

from meetup.events import cards
from meetup.people import roster

bp = Blueprint("events", __name__, url_prefix="/events")
bp.record_once(lambda state: roster.init_app(state.app))
bp.record_once(lambda state: cards.init_app(state.app))
