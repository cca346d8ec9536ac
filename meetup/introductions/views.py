"""Introductions: find people through my contacts, ask, forward, accept."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from meetup import policy
from meetup.database import transaction
from meetup.errors import RuleError
from meetup.introductions import paths, queries, services
from meetup.introductions.forms import AskForm, PathSearchForm, SwitchForm
from meetup.models import utcnow

bp = Blueprint("introductions", __name__, url_prefix="/contacts/introductions")


def _page(search: PathSearchForm, ask: AskForm | None = None, status: int = 200):
    valid = search.validate()
    term = search.q.data if valid and search.q.data else None
    now = utcnow()
    return render_template(
        "introductions/index.html", form=search, ask=ask or AskForm(formdata=None),
        term=term, paths=paths.find(current_user, term) if term else [],
        mine=queries.asked_by(current_user), now=now,
        waiting=queries.waiting_for(current_user, now),
        shown_state=queries.shown_state,
        switch=SwitchForm(formdata=None, allow=current_user.allow_introductions),
    ), status if valid else 422


@bp.get("/")
@login_required
def index():
    return _page(PathSearchForm(request.args))


@bp.post("/ask")
@login_required
def ask():
    form = AskForm()
    search = PathSearchForm(data={"q": form.q.data or ""})
    if not form.validate_on_submit():
        return _page(search, form, 422)
    try:
        with transaction():
            request_ = services.ask(current_user, form.via.data, form.target.data,
                                         form.second.data, form.note.data or "")
            via = request_.via.name
    except RuleError as error:
        form.note.errors = [error.message]
        return _page(search, form, error.status)
    flash(_("Your request is on its way to %(name)s.", name=via), "success")
    return redirect(url_for("introductions.index"))


# What the two others may answer: the role the visitor must have in the request,
# the change, and what they are told. One view serves all four.
ANSWERS = {
    "forward": ("via", services.forward,
                _l("Thank you. Both have received a mail introducing them to each other.")),
    "decline": ("via", services.decline, _l("Declined. Nobody is told.")),
    "accept": ("target", services.accept,
               _l("Accepted. You have both received each other's e-mail address.")),
    "refuse": ("target", services.refuse, _l("Declined. Nobody is told.")),
}


@login_required
def answer(request_id: int, kind: str):
    """Forward, decline, accept or refuse a request addressed to the visitor in
    the answer's role (404 otherwise); a refusal shows its message."""
    role, change, message = ANSWERS[kind]
    with transaction():
        change(policy.load_introduction(request_id, role, lock=True))
    flash(str(message), "success")
    return redirect(url_for("introductions.index"))


for _name in ANSWERS:
    bp.add_url_rule(f"/<int:request_id>/{_name}", _name, answer, methods=["POST"],
                    defaults={"kind": _name})


@bp.post("/setting")
@login_required
def setting():
    form = SwitchForm()
    if form.validate_on_submit():
        with transaction():
            services.allow(current_user, form.allow.data)
        flash(_("Others may now reach people through you.") if form.allow.data else
              _("Nobody can reach people through you any more, and you see no paths."),
              "success")
    return redirect(url_for("introductions.index"))
