"""Events: browse, the event page, RSVP (``views``); organiser pages (``manage_views``)."""

from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")
