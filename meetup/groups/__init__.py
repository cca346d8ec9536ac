"""Clubs: browse, join, members, invitations (``views``); organiser pages (``manage_views``)."""

from flask import Blueprint

bp = Blueprint("groups", __name__, url_prefix="/groups")
invitations_bp = Blueprint("invitations", __name__, url_prefix="/invite")
