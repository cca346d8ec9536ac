"""The home page and the language switch."""

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from meetup import policy
from meetup.database import transaction
from meetup.events.queries import going_counts, upcoming_events
from meetup.extensions import csrf
from meetup.main import queries
from meetup.security import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Signed in: what is next for me. Otherwise: what Treffpunkt is, and what is on."""
    user = policy.signed_in(current_user)
    if user is not None:
        page = queries.home(user)
        return render_template("main/home.html", page=page, next_steps=page.next_steps(user))
    events = upcoming_events(None)
    return render_template("main/index.html", events=events, going=going_counts(events))


@bp.post("/language")
@csrf.exempt
def set_language():
    """A visitor without an account chooses a language without a CSRF token, so
    that no page has to start a session (and set a cookie) to offer the switch:
    a forged request could only switch their language. Signed in, the choice is
    stored on the account, and the token is required."""
    if current_user.is_authenticated:
        csrf.protect()
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["locale"] = language
        if current_user.is_authenticated:
            with transaction():
                current_user.locale = language
    return redirect(safe_next(request.form.get("next"), url_for("main.index")))
