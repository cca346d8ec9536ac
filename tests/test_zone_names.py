"""Time-zone choices: places named in the viewer's language from Babel's CLDR data,
common zones first, only real places, and a stored old name kept selectable."""

import re

import pytest

from meetup.account.forms import timezone_choices
from meetup.events.timing import listed_zones, place_zones
from tests.helpers import log_in, submit

OPTION = re.compile(r'<option(?: selected)? value="([^"]+)">([^<]*)</option>')


def options(html: str, name: str = "timezone") -> list[tuple[str, str]]:
    select = html.split(f'name="{name}"')[1].split("</select>")[0]
    return OPTION.findall(select)


@pytest.mark.parametrize(("language", "names"), [
    ("de", ["Deutschland – Berlin", "Österreich – Wien", "Schweiz – Zürich"]),
    ("en", ["Germany – Berlin", "Austria – Vienna", "Switzerland – Zurich"]),
])
def test_zones_are_named_in_the_viewers_language_common_ones_first(client, make_user,
                                                                   language, names):
    make_user(locale=language)
    log_in(client, "mara@example.com")
    html = client.get("/account/").get_data(as_text=True)
    choices = options(html, "settings-timezone")
    assert [label for _zone, label in choices[:3]] == names
    assert [zone for zone, _label in choices[:3]] == ["Europe/Berlin", "Europe/Vienna",
                                                      "Europe/Zurich"]
    assert "<optgroup" in html.split('name="settings-timezone"')[1].split("</select>")[0]
    labels = dict(choices)
    assert labels["Asia/Kolkata"] == ("Indien – Kalkutta" if language == "de"
                                      else "India – Kolkata")
    assert labels["America/Argentina/Buenos_Aires"].endswith("Buenos Aires")
    # Every place once, under its current name: no "Asia/Calcutta" next to Kolkata.
    zones = [zone for zone, _label in choices]
    assert len(zones) == len(set(zones)) and "Asia/Calcutta" not in zones
    assert not {"localtime", "Factory", "Etc/GMT+5", "US/Eastern", "CET"} & set(zones)


def test_the_rest_is_sorted_by_country_then_city(app):
    with app.test_request_context(headers={"Accept-Language": "de"}):
        rest = [choice.label for choice in list(timezone_choices().values())[1]]
    assert rest.index("Afghanistan – Kabul") < rest.index("Ägypten – Kairo") < rest.index(
        "Albanien – Tirana")
    assert rest.index("Vereinigte Staaten – Denver") < rest.index(
        "Vereinigte Staaten – Phoenix")


def test_listed_zones_are_places_and_old_names_stay_accepted(app, client, make_user):
    assert set(listed_zones()) <= place_zones()
    assert "Asia/Calcutta" in place_zones() and "Asia/Calcutta" not in listed_zones()
    make_user()
    log_in(client, "mara@example.com")
    response = submit(client, "/account/", {"settings-name": "Mara Beispiel",
                                                    "settings-locale": "",
                                                    "settings-timezone": "Asia/Calcutta"},
                      page="/account/")
    html = client.get("/account/").get_data(as_text=True)
    assert ('<option selected value="Asia/Calcutta">Indien – Kalkutta</option>' in html), \
        response.status_code
