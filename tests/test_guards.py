"""Input no person types: huge numbers in URLs and NUL characters never reach a query."""

import pytest
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import User
from tests.helpers import PASSWORD, csrf_token, log_in

HUGE = "99999999999999999999"


@pytest.mark.parametrize("path", [
    f"/events/{HUGE}", f"/events/{HUGE}.ics", f"/people/{HUGE}", f"/people/{HUGE}/photo",
    f"/events/{HUGE}/ticket", f"/events/{HUGE}/check-in", f"/events/1/check-in/{HUGE}",
    f"/events/{2**31}",
])
def test_numbers_beyond_a_database_integer_are_not_found(app, client, make_user, path):
    make_user()
    log_in(client, "mara@example.com")
    assert client.get(path).status_code == 404


def test_a_huge_number_in_a_post_url_is_not_found(app, client, make_user):
    make_user()
    log_in(client, "mara@example.com")
    token = csrf_token(client.get("/events/").get_data(as_text=True))
    response = client.post(f"/events/{HUGE}/rsvp", data={"csrf_token": token, "answer": "yes"})
    assert response.status_code == 404


@pytest.mark.parametrize("query", ["q=%00", "q=Stamm%00tisch", "kind=%00", "%00=1"])
def test_a_nul_character_in_a_search_is_refused_with_a_message(app, client, query):
    response = client.get(f"/events/?{query}")
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/groups/%00", "/groups/%00/calendar.ics", "/invite/%00",
                                  "/calendar/%00.ics", "/auth/reset/%00"])
def test_a_nul_character_in_the_path_is_refused(app, client, path):
    assert client.get(path).status_code == 400


def test_a_nul_character_in_a_form_changes_nothing(app, client):
    token = csrf_token(client.get("/auth/signup").get_data(as_text=True))
    response = client.post("/auth/signup", data={
        "csrf_token": token, "email": "nul@example.com", "name": "Nina\x00Null",
        "password": PASSWORD, "password_confirm": PASSWORD, "accept": "y"})
    assert response.status_code == 400
    assert "Bitte prüfen Sie" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("path", ["/events/", "/groups/"])
def test_a_search_of_100000_characters_answers_normally(app, client, path):
    response = client.get(path, query_string={"q": "[" * 100_000})
    assert response.status_code in (200, 422)
