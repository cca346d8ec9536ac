"""Series of events: the series page (``views``) and changes to several of its
dates at once (``manage_views``); the rule and its dates are in ``rules``."""

from flask import Blueprint

bp = Blueprint("series", __name__, url_prefix="/series")
