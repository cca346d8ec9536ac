"""The home page and the language switch."""

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from meetup.database import transaction
from meetup.events.queries import going_counts, upcoming_events
from meetup.security import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    user = current_user if current_user.is_authenticated else None
    events = upcoming_events(user)
    return render_template("main/index.html", events=events, going=going_counts(events))


@bp.post("/language")
def set_language():
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["locale"] = language
        if current_user.is_authenticated:
            with transaction():
                current_user.locale = language
    return redirect(safe_next(request.form.get("next"), url_for("main.index")))
