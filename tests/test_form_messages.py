"""The form library's messages in the app's own tone, one message per field, in German
and English; and every form goes through the one base that provides them."""

import ast
from pathlib import Path

import pytest

from tests.helpers import log_in, submit
from tests.test_events import form_for, future

MEETUP = Path(__file__).resolve().parent.parent / "meetup"


def field_errors(html: str) -> list[str]:
    return [part.split(">", 1)[1].split("</p>", 1)[0].strip()
            for part in html.split('<p class="field-error"')[1:]]


@pytest.mark.parametrize(("language", "capacity", "message"), [
    ("de", "zwanzig", "Bitte geben Sie eine ganze Zahl an."),
    ("de", "10000000000000", "Bitte geben Sie 1 bis 100.000 Plätze an."),
    ("de", "0", "Bitte geben Sie 1 bis 100.000 Plätze an."),
    ("en", "twenty", "Please enter a whole number."),
    ("en", "10000000000000", "Please enter from 1 to 100,000 seats."),
])
def test_a_bad_number_gets_one_clear_message(app, client, club, language, capacity, message):
    slug, _owner = club
    log_in(client, "owner@example.com")
    headers = {"Accept-Language": language}
    response = submit(client, f"/events/new/{slug}", form_for(future(), capacity=capacity),
                      headers=headers)
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == [message]


@pytest.mark.parametrize(("language", "message", "foreign"), [
    ("de", "Bitte verwenden Sie höchstens 120 Zeichen.", "Feld kann nicht"),
    ("en", "Please use at most 120 characters.", "Field cannot be longer"),
])
def test_a_too_long_text_is_refused_in_the_apps_words(app, client, make_user, language,
                                                      message, foreign):
    make_user()
    log_in(client, "mara@example.com")
    response = submit(client, "/people/me", {"profile_visibility": "members",
                                             "headline": "x" * 121},
                      headers={"Accept-Language": language})
    html = response.get_data(as_text=True)
    assert message in field_errors(html)
    assert foreign not in html


def test_every_form_derives_from_the_apps_base_form():
    """A form made straight from FlaskForm would speak the form library's German."""
    offenders = []
    for path in MEETUP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ClassDef) or (path, node.name) == (MEETUP / "forms.py",
                                                                           "Form"):
                continue
            names = {getattr(base, "id", getattr(base, "attr", "")) for base in node.bases}
            if "FlaskForm" in names:
                offenders.append(f"{path.relative_to(MEETUP)}:{node.name}")
    assert offenders == []


@pytest.mark.parametrize("chosen", ["", 'x"y', "z", "<b>"])
def test_the_long_select_writes_what_the_form_librarys_select_writes(app, chosen):
    """The event filter's club and city lists use a quicker widget; its HTML is the
    form library's own, escaping included, for every choice selected or not."""
    from wtforms import SelectField
    from wtforms.widgets import Select

    from meetup.forms import Form, LongSelect

    class Filter(Form):
        class Meta:
            csrf = False

        club = SelectField("Club", validate_choice=False, widget=LongSelect())

    choices = [("", "Alle Clubs"), ('x"y', "<Club & Co>"), ("z", "Zett"), ("<b>", ""), (7, "7")]
    with app.test_request_context(query_string={"club": chosen}):
        from flask import request
        form = Filter(request.args)
        form.club.choices = choices
        assert form.club() == Select()(form.club)
        assert "<Club" not in form.club() and form.club().count("selected") == 1
