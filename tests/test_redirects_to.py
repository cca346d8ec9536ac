"""redirects_to, the check behind every redirect assertion, says no when it should."""

import pytest
from werkzeug.wrappers import Response

from tests.helpers import redirects_to


def redirect(location: str, status: int = 302) -> Response:
    return Response(status=status, headers={"Location": location})


@pytest.mark.parametrize(("location", "path"), [
    ("/groups/x", "/groups/x"),
    ("/auth/login?next=%2Faccount%2F", "/auth/login?next=/account/"),
    ("/events/1/check-in?b=2&a=1", "/events/1/check-in?a=1&b=2"),
    ("/account/#calendar-heading", "/account/#calendar-heading"),
])
def test_the_same_target_in_any_spelling_passes(location, path):
    assert redirects_to(redirect(location), path) == location
    assert redirects_to(redirect(location, 303), path) == location


@pytest.mark.parametrize(("location", "path"), [
    ("/groups/y", "/groups/x"),
    ("/groups/x?page=2", "/groups/x"),
    ("/groups/x", "/groups/x?page=2"),
    ("/events/1/check-in?q=", "/events/1/check-in"),
    ("/account/", "/account/#calendar-heading"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
])
def test_another_target_fails(location, path):
    with pytest.raises(AssertionError, match="redirects to"):
        redirects_to(redirect(location), path)


def test_a_page_that_does_not_redirect_fails_and_shows_itself():
    page = Response("Bitte prüfen Sie das Formular.", status=422)
    with pytest.raises(AssertionError, match="got 422(.|\n)*Bitte prüfen Sie das Formular"):
        redirects_to(page, "/")
    with pytest.raises(AssertionError, match="got 200"):
        redirects_to(Response(status=200, headers={"Location": "/"}), "/")
