"""The URL map as an attacker sees it, enumerated so that a new route cannot be
forgotten: every POST route refuses a request without a CSRF token, every route that
takes an id refuses someone else's (404, or 403 where the object is public), and
every answer carries the security headers."""

import itertools
import re

import pytest
from werkzeug.routing import AnyConverter

from tests.helpers import csrf_token, log_in
from tests.security_world import ATTACKER, build, snapshot
from tests.test_security_headers import assert_security_headers

# URL arguments that name an object of someone (a token or a file name is no id).
ID_ARGUMENTS = {"slug", "event_id", "user_id", "application_id", "invitation_id",
                "membership_id", "ban_id", "message_id", "series_id"}

# Routes that answer someone else's id with something other than 404/403, and why
# that is right. Each must still change nothing on the other side (see the snapshot).
NOT_REFUSED = {
    ("contacts.unblock", "user_id"): "lifts the visitor's own block of that person: with "
    "none to lift the answer is the same for any id, so it tells nothing about accounts",
    ("preferences.still_coming", "event_id"): "a signed one-click link: its token names the "
    "person and the event, so with a token not made for that event the answer is 400 for "
    "any id and tells nothing",
    ("preferences.still_coming_answer", "event_id"): "the same signed link, answered",
}
# Routes outside the reach of the test (with the reason).
SKIPPED = {
    "notify.mailbox": "the development mailbox shows every mail by design (dev only)",
    "notify.message": "the development mailbox shows every mail by design (dev only)",
    "notify.attachment": "the development mailbox shows every mail by design (dev only)",
}
# Where Bob's object is public: his event page, feeds and photo are refused with 403/404
# like the rest; the only public objects of the world are Alice's own.
REFUSED = {403, 404}


@pytest.fixture
def world(app, make_user, make_group, add_member, make_event):
    return build(app, make_user, make_group, add_member, make_event)


def build_urls(app, rule, values: dict) -> list[str]:
    """The rule's URLs with ``values``, one for each choice of its ``any(...)`` parts."""
    choices = {name: sorted(converter.items) for name, converter in rule._converters.items()
               if isinstance(converter, AnyConverter)}
    fixed = {name: values.get(name, "x") for name in rule.arguments
             if name not in choices and name not in (rule.defaults or {})}
    method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
    adapter = app.url_map.bind("localhost")
    return [adapter.build(rule.endpoint, {**fixed, **dict(zip(choices, combo, strict=True))},
                          method=method)
            for combo in itertools.product(*choices.values())]


def rules(app, method: str):
    return sorted((rule for rule in app.url_map.iter_rules()
                   if method in rule.methods and rule.endpoint not in SKIPPED),
                  key=lambda rule: rule.rule)


def own_values(world) -> dict:
    # An introduction request has only its three people: test_introductions tries the
    # others (only the middle person forwards, only the target accepts).
    return {**world.own, "token": "tok-alpha-club", "filename": "css/app.css",
            "request_id": 1}


# --- CSRF -----------------------------------------------------------------------------

def test_every_post_route_refuses_a_missing_csrf_token(app, client, world):
    log_in(client, ATTACKER)
    before = snapshot(app)
    posts = rules(app, "POST")
    assert len(posts) > 40
    problems = []
    for rule, url in [(each, url) for each in posts
                      for url in build_urls(app, each, own_values(world))]:
        response = client.post(url, data={"title": "x", "reason": "x", "answer": "yes"})
        assert_security_headers(response)
        if response.status_code != 400 or "csrf" not in response.get_data(as_text=True).lower():
            problems.append(f"{rule.endpoint} {url}: {response.status_code}")
        # A wrong token is as good as none.
        forged = client.post(url, data={"csrf_token": "forged", "title": "x"})
        if forged.status_code != 400:
            problems.append(f"{rule.endpoint} {url} (forged token): {forged.status_code}")
    assert not problems, "\n".join(problems)
    assert snapshot(app) == before
    # Still logged in: nothing (not even the logout) went through.
    assert client.get("/account/").status_code == 200


# --- IDOR -----------------------------------------------------------------------------

def idor_cases(app, world):
    """(rule, method, argument, url): every route with an id, that id Bob's."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in SKIPPED or rule.endpoint == "static":
            continue
        for name in sorted(set(rule.arguments) & ID_ARGUMENTS):
            values = {**own_values(world), name: world.foreign[name]}
            for method in sorted(rule.methods & {"GET", "POST"}):
                for url in build_urls(app, rule, values):
                    yield rule, method, name, url


def test_someone_elses_ids_are_refused_on_every_route(app, client, world):
    log_in(client, ATTACKER)
    token = csrf_token(client.get("/account/").get_data(as_text=True))
    before = snapshot(app)
    cases = list(idor_cases(app, world))
    assert len(cases) > 40
    problems = []
    for rule, method, name, url in cases:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token, "title": "Übernommen",
                                              "reason": "weg", "answer": "yes",
                                              "people": str(world.foreign["user_id"]),
                                              "note": "gehackt", "role": "owner"})
        response.close()
        if response.status_code not in REFUSED and (rule.endpoint, name) not in NOT_REFUSED:
            problems.append(f"{method} {url} ({rule.endpoint}, {name}): "
                            f"{response.status_code} {response.headers.get('Location', '')}")
    assert not problems, "\n".join(problems)
    assert snapshot(app) == before, "someone else's data changed"


def test_the_exceptions_are_still_routes(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    for endpoint, _name in NOT_REFUSED:
        assert endpoint in endpoints
    assert set(SKIPPED) <= endpoints
    for reason in (*NOT_REFUSED.values(), *SKIPPED.values()):
        assert re.search(r"\w{4,}", reason)


# --- headers and caching on every GET route -----------------------------------------

# Answers that keep a caching rule of their own, and why.
OWN_CACHING = {
    "static": "files of the app itself, revalidated against their ETag",
    "calendar.group_feed": "a club's public feed, the same for everyone (ETag, max-age)",
    "calendar.event_ics": "one event's calendar file; private, short max-age",
    "calendar.personal_feed": "the token in the URL is the secret; private, max-age",
    "groups.logo_image": "a club's logo; private for a private club",
    "people.photo": "a profile photo; private, shown only to who may see it",
    "health.healthz": "for load balancers: nothing personal, and never stored (no-store)",
    "health.readyz": "for load balancers: nothing personal, and never stored (no-store)",
}


def test_every_get_route_has_the_headers_and_personal_ones_are_not_stored(app, client,
                                                                         world):
    log_in(client, ATTACKER)
    problems = []
    for rule in rules(app, "GET"):
        for url in build_urls(app, rule, own_values(world)):
            with client.get(url) as response:
                response.get_data()
            assert_security_headers(response)
            cache = response.headers.get("Cache-Control", "")
            if rule.endpoint in OWN_CACHING:
                if response.status_code == 200 and "no-store" not in cache:
                    assert "public" in cache or "private" in cache or "no-cache" in cache, url
                continue
            if cache != "private, no-store":
                problems.append(f"{url} ({rule.endpoint}, {response.status_code}): {cache!r}")
    assert not problems, "\n".join(problems)
