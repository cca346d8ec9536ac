"""An error budget of zero: no page and no form answers 5xx, whatever it is sent.

The walk loads the demo data, then, as a visitor, a plain member and a club owner
(logged in through the real form):

1. visits every GET route of ``app.url_map`` with its URL arguments filled from real
   demo rows, with ids and slugs that exist nowhere, and with malformed query strings;
2. submits every form found on those pages (with a valid CSRF token): as found, with
   every field hostile at once, and with each field hostile on its own;
3. visits every GET route again, now that the hostile values are stored.

Routes and forms are discovered, never listed, so a new one is covered the day it is
added. See tests/budget.py for the values sent.
"""

import time
from collections import defaultdict
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from meetup.auth import services as auth_services
from meetup.calendar import feeds
from meetup.demo import DEMO_PASSWORD, email_for
from meetup.extensions import db
from meetup.models import (
    Application,
    ContactCard,
    Event,
    EventSeries,
    Group,
    Invitation,
    Membership,
    User,
)
from tests.budget import Session, Walker
from tests.helpers import log_in

ROLES = {
    "anonymous": None,
    "member": email_for("Julia Becker"),  # a plain member of the Münster club
    "owner": email_for("Anna Schneider"),  # owner of the Münster club
}

# Routes the walk cannot fill with anything meaningful, with the reason.
UNFILLABLE: dict[str, str] = {}

# Forms whose submission takes ground away from the rest: they go last.
LAST = {"auth.logout", "groups.leave", "events.delete", "events.cancel",
        "groups.member_action", "groups.revoke", "calendar.feed_settings",
        "account.change_email", "account.change_password", "contacts.remove",
        "contacts.block"}


def candidates(app: Flask) -> dict[str, list]:
    """Real values for every URL argument name the routes use."""
    with app.app_context():
        def ids(model):
            return list(db.session.scalars(select(model.id).order_by(model.id)))

        people = {role: db.session.scalar(select(User).filter_by(email=email))
                  for role, email in ROLES.items() if email}
        private_only = db.session.scalar(select(User).filter_by(email=email_for("Uwe Möller")))
        # Two of the owner's demo contacts, so their cards and forms are walked too.
        contacts = db.session.scalars(select(ContactCard.other_id).where(
            ContactCard.owner_id == people["owner"].id).order_by(ContactCard.id).limit(2)).all()
        # Links that change an account go to a bystander, so the visitors can log in
        # again after the forms behind them were sent.
        bystander = db.session.scalar(select(User).filter_by(email=email_for("Felix Jung")))
        tokens = [*db.session.scalars(select(Invitation.token)),
                  auth_services.verification_token(bystander),
                  auth_services.reset_token(bystander),
                  auth_services.email_change_token(bystander, "felix.neu@example.com")]
        tokens += [feeds.new_token(user) for user in people.values()]
        db.session.commit()
        static = Path(app.static_folder)
        return {
            "event_id": ids(Event),
            "series_id": ids(EventSeries),
            "user_id": [u.id for u in (*people.values(), private_only)] + contacts,
            "slug": list(db.session.scalars(select(Group.slug).order_by(Group.id))),
            "token": tokens,
            "application_id": ids(Application),
            "invitation_id": ids(Invitation),
            "membership_id": ids(Membership)[:5],
            "filename": sorted(str(p.relative_to(static)) for p in static.rglob("*")
                               if p.is_file())[:3],
        }


def get_rules(app: Flask, only=None) -> list:
    rules = [rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and rule.endpoint not in UNFILLABLE
             and (only is None or rule.endpoint in only)]
    return sorted(rules, key=lambda rule: rule.rule)


def sessions(app: Flask, walker: Walker) -> list[Session]:
    return [Session(app, role, email, DEMO_PASSWORD, walker.next_address())
            for role, email in ROLES.items()]


def report(walker: Walker) -> str:
    by_place = defaultdict(list)
    for failure in walker.failures:
        # By the file of the view, where the one who fixes it starts looking.
        by_place[failure.where.split(" via ")[-1].split(":")[0]].append(str(failure))
    lines = [f"{len(walker.failures)} failures in {walker.requests} requests:"]
    for place, failures in sorted(by_place.items()):
        lines.append(f"== {place}")
        lines += [f"  {line}" for line in dict.fromkeys(failures)]
    return "\n".join(lines)


def test_no_page_and_no_form_answers_5xx(demo_app):
    started = time.monotonic()
    walker = Walker(demo_app)
    visitors = sessions(demo_app, walker)
    values = candidates(demo_app)
    rules = get_rules(demo_app)
    walker.walk_gets(visitors, rules, values)
    print(f"\nGET walk: {walker.requests} requests, {time.monotonic() - started:.1f} s")
    assert walker.forms, "no forms found on the pages"
    walker.submit_forms(LAST)
    print(f"forms: {walker.requests} requests, {time.monotonic() - started:.1f} s")
    walker.walk_gets(visitors, rules, values, hostile=False)
    print(f"\nerror budget: {walker.requests} requests, {len(walker.forms)} forms, "
          f"{time.monotonic() - started:.1f} s")
    assert not walker.failures, report(walker)


# --- defects the walk found, one test each ---------------------------------------

@pytest.mark.parametrize("path", ["/groups/", "/groups/{slug}/members"])
def test_an_overlong_search_word_gets_a_message_not_a_500(app, client, make_user, make_group,
                                                          path):
    user_id, email = make_user()
    slug = make_group(user_id)
    log_in(client, email)
    response = client.get(path.format(slug=slug), query_string={"q": "x" * 100_000})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="field-error"' in html and 'aria-invalid="true"' in html
    assert "100" in html  # says how long a search may be


@pytest.mark.parametrize("path", ["/groups/?q=a%00b", "/groups/?city=%00", "/groups/%00",
                                  "/groups/%00/members", "/groups/{slug}/members?q=%00",
                                  "/invite/%00"])
def test_a_nul_byte_in_a_club_address_or_search_is_not_a_500(app, client, make_user,
                                                             make_group, path):
    user_id, email = make_user()
    slug = make_group(user_id)
    log_in(client, email)
    response = client.get(path.format(slug=slug))
    assert response.status_code < 500


def test_the_walk_catches_a_new_failing_route_and_form(app):
    """The budget is worth something only if a new route that fails makes it fail."""
    from flask import render_template_string, request

    @app.get("/_canary/<int:event_id>")
    def canary(event_id):
        if event_id == 0:  # (huge ids and NUL bytes never reach a view: meetup/guards.py)
            raise RuntimeError("canary: id 0")
        return "ok"

    @app.route("/_canary/form", methods=["GET", "POST"])
    def canary_form():
        if len(request.form.get("title", "")) > 50_000:
            raise RuntimeError("canary: long title")
        return render_template_string(
            '<form method="post"><input type="hidden" name="csrf_token" '
            'value="{{ csrf_token() }}"><input name="title"></form>')

    walker = Walker(app)
    visitor = Session(app, "anonymous", None, "", walker.next_address())
    rules = get_rules(app, only={"canary", "canary_form"})
    walker.walk_gets([visitor], rules, {"event_id": [1]})
    walker.submit_forms(set())
    causes = {(f.target, f.cause) for f in walker.failures}
    assert ("canary", "RuntimeError: canary: id 0") in causes
    assert ("form canary_form", "RuntimeError: canary: long title") in causes
