"""Who may do what, tried as each kind of person would, on public and private groups.

Expected outcomes are written out here by hand, not computed by the policy
module under test. In a private group every denial to a non-member is a 404,
so an outsider cannot tell a private group from one that does not exist.
"""

from urllib.parse import urlsplit

import pytest

from meetup.extensions import db
from meetup.models import Application, Ban, Group
from tests.helpers import log_in, redirects_to, submit

ROLES = ["anonymous", "outsider", "applicant", "member", "organiser", "owner", "banned"]
KINDS = ["public-open", "public-approval", "private-approval"]
INSIDERS = {"member", "organiser", "owner"}
MANAGERS = {"organiser", "owner"}

# (name, method, path below /groups/<slug>)
# Joining and leaving change who is a member, so each is tried on a fresh world.
STATE_CHANGING = [("join", "POST", "/join"), ("leave", "POST", "/leave")]
ROUTES = [
    ("view", "GET", ""),
    ("members", "GET", "/members"),
    ("apply", "GET", "/apply"),
    ("applications", "GET", "/manage/applications"),
    ("invitations", "GET", "/manage/invitations"),
    ("manage-members", "GET", "/manage/members"),
    ("settings", "GET", "/edit"),
    ("create-link", "POST", "/manage/invitations/link"),
]
LOGIN_REQUIRED = {"join", "apply", "leave", "applications", "invitations", "manage-members",
                  "settings", "create-link"}


def expected(route: str, kind: str, role: str) -> str:
    private = kind.startswith("private")
    if role == "anonymous":
        # Sent to log in before the group is even looked up: says nothing about it.
        if route in LOGIN_REQUIRED:
            return "login"
        if private:
            return "404"
        return "ok" if route == "view" else "login"
    if private and role not in INSIDERS:
        return "404"
    if route == "view":
        return "ok"
    if route in ("members", "leave"):
        return "ok" if role in INSIDERS else "403"
    if route == "join":
        if role in INSIDERS:
            return "ok"  # already a member: nothing happens
        return "ok" if kind == "public-open" and role in ("outsider", "applicant") else "403"
    if route == "apply":
        return "ok" if kind == "public-approval" and role == "outsider" else "403"
    return "ok" if role in MANAGERS else "403"


def outcome(response) -> str:
    if response.status_code in (403, 404):
        return str(response.status_code)
    if 300 <= response.status_code < 400:
        return "login" if urlsplit(response.headers["Location"]).path == "/auth/login" else "ok"
    if response.status_code == 200:
        return "ok"
    return f"unexpected {response.status_code}"


@pytest.fixture
def world(app, make_user, make_group, add_member):
    """Three groups with one person of every role in each."""
    ids = {role: make_user(f"{role}@example.com", name=role.title())[0]
           for role in ROLES if role != "anonymous"}
    slugs = {}
    for kind in KINDS:
        visibility, policy = kind.split("-")
        slug = make_group(ids["owner"], f"Club {kind}", visibility=visibility,
                          join_policy=policy)
        add_member(slug, ids["member"])
        add_member(slug, ids["organiser"], "organiser")
        with app.app_context():
            group = db.session.scalar(db.select(Group).filter_by(slug=slug))
            db.session.add(Application(group_id=group.id, user_id=ids["applicant"],
                                       message="Bitte"))
            db.session.add(Ban(group_id=group.id, user_id=ids["banned"]))
            db.session.commit()
        slugs[kind] = slug
    return slugs


def client_for(app, role):
    client = app.test_client()
    if role != "anonymous":
        redirects_to(log_in(client, f"{role}@example.com"), "/")
    return client


def request(client, method, url):
    if method == "GET":
        return client.get(url)
    # A real form post: the CSRF token comes from a page everyone can open (the login
    # form for a visitor: anonymous pages carry no token, they start no session).
    page = "/" if 'name="csrf_token"' in client.get("/").get_data(as_text=True) else \
        "/auth/login"
    return submit(client, url, {"link-days": "7"}, page=page)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, world, role):
    client = client_for(app, role)
    failures = []
    for kind, slug in world.items():
        for route, method, suffix in ROUTES:
            got = outcome(request(client, method, f"/groups/{slug}{suffix}"))
            want = expected(route, kind, role)
            if got != want:
                failures.append(f"{kind} {route}: got {got}, expected {want}")
    assert failures == []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", STATE_CHANGING, ids=lambda route: route[0])
def test_join_and_leave_matrix(app, world, role, route):
    client = client_for(app, role)
    name, method, suffix = route
    failures = []
    for kind, slug in world.items():
        got = outcome(request(client, method, f"/groups/{slug}{suffix}"))
        if got != expected(name, kind, role):
            failures.append(f"{kind} {name}: got {got}, expected {expected(name, kind, role)}")
    assert failures == []


@pytest.mark.parametrize("role", ["anonymous", "outsider", "applicant", "banned"])
def test_private_group_is_indistinguishable_from_none(app, world, role):
    """Every route answers a private group exactly as it answers a missing one."""
    client = client_for(app, role)
    for _route, method, suffix in ROUTES + STATE_CHANGING + [("logo", "GET", "/logo")]:
        private = request(client, method, f"/groups/{world['private-approval']}{suffix}")
        missing = request(client, method, f"/groups/no-such-club{suffix}")
        assert private.status_code == missing.status_code, suffix
        assert private.headers.get("Location", "").replace(
            world["private-approval"], "X") == missing.headers.get("Location", "").replace(
            "no-such-club", "X")
        assert b"Club private" not in private.data


@pytest.mark.parametrize("role", ["anonymous", "outsider", "applicant", "banned"])
def test_private_group_appears_in_no_list_or_search(app, world, role):
    client = client_for(app, role)
    urls = ["/", "/groups/", "/groups/?q=private", "/groups/?q=Club", "/groups/?city=Münster"]
    if role != "applicant":  # applicants see the name of the group they applied to
        urls.append("/groups/mine")
    for url in urls:
        response = client.get(url)
        assert b"Club private" not in response.data, url
        assert world["private-approval"].encode() not in response.data, url


def test_members_see_their_private_group_in_my_clubs(app, world):
    client = client_for(app, "member")
    assert b"Club private-approval" in client.get("/groups/mine").data
