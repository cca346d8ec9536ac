"""Search as people expect it, the same on SQLite and PostgreSQL: every word narrows,
each word may match title, description, club name or city, and case, umlauts and ß
fold ("muenster" finds "Münster" and back, "strasse" finds "Straße")."""

from datetime import date, timedelta

import pytest

from meetup.search import fold

TITLES = ("Stammtisch Münster", "Stammtisch am Markt", "Vortrag Leipzig", "Sommerfest",
          "Muenster-Treff", "Frühschoppen an der Straße")


@pytest.fixture
def events(club, make_group, make_event):
    slug, owner_id = club  # Unternehmerclub Münster, in Münster
    leipzig = make_group(owner_id, "Wirtschaftsclub Leipzig", city="Leipzig")
    make_event(slug, title="Stammtisch Münster", days=3)
    make_event(leipzig, title="Stammtisch am Markt", days=4, description="Offene Runde")
    make_event(leipzig, title="Vortrag Leipzig", days=5, description="Über **Fachkräfte**")
    make_event(slug, title="Sommerfest", days=60, description="Im Garten, bei jedem Wetter")
    make_event(leipzig, title="Muenster-Treff", days=6)
    make_event(slug, title="Frühschoppen an der Straße", days=7)
    return slug, leipzig


def found(client, query: str) -> set[str]:
    html = client.get("/events/", query_string={"q": query}).get_data(as_text=True)
    return {title for title in TITLES if f">{title}</a>" in html}


@pytest.mark.parametrize(("query", "expected"), [
    ("stammtisch leipzig", {"Stammtisch am Markt"}),  # title + the club's city
    ("Leipzig stammtisch", {"Stammtisch am Markt"}),  # in any order
    ("stammtisch   münster", {"Stammtisch Münster"}),
    ("stammtisch", {"Stammtisch Münster", "Stammtisch am Markt"}),
    ("muenster", {"Stammtisch Münster", "Sommerfest", "Frühschoppen an der Straße",
                  "Muenster-Treff"}),  # the club's name and city, and the title
    ("MÜNSTER treff", {"Muenster-Treff"}),
    ("strasse", {"Frühschoppen an der Straße"}),
    ("STRASSE fruehschoppen", {"Frühschoppen an der Straße"}),
    ("fachkräfte", {"Vortrag Leipzig"}),  # the description
    ("FACHKRAEFTE leipzig", {"Vortrag Leipzig"}),
    ("garten wetter", {"Sommerfest"}),
    ("stammtisch sommerfest", set()),  # no event is both
    ("wirtschaftsclub markt", {"Stammtisch am Markt"}),
])
def test_every_word_narrows_and_umlauts_fold(client, events, query, expected):
    assert found(client, query) == expected


@pytest.mark.parametrize(("query", "expected"), [
    ("unternehmer muenster", {"Unternehmerclub Münster"}),
    ("club", {"Unternehmerclub Münster", "Wirtschaftsclub Leipzig"}),
    ("club LEIPZIG", {"Wirtschaftsclub Leipzig"}),
    ("münster leipzig", set()),
])
def test_club_search_narrows_by_every_word(client, events, query, expected):
    html = client.get("/groups/", query_string={"q": query}).get_data(as_text=True)
    assert {name for name in ("Unternehmerclub Münster", "Wirtschaftsclub Leipzig")
            if f">{name}</a>" in html} == expected


def test_folding_in_python_matches_the_databases():
    assert fold("Münster") == fold("MUENSTER") == "muenster"
    assert fold("Straße") == fold("STRASSE") == fold("STRAẞE") == "strasse"
    assert fold("Ärztekammer") == "aerztekammer"
    assert fold("u\u0308ber") == "ueber"  # a decomposed umlaut, as some keyboards send it


def test_a_from_date_after_the_to_date_is_explained_next_to_the_field(client, events):
    since = date.today() + timedelta(days=30)
    response = client.get("/events/", query_string={
        "date_from": since.isoformat(), "date_to": (since - timedelta(days=1)).isoformat()})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = html.split('id="date_to-error"')[1].split("</p>")[0]
    assert "„Bis“ darf nicht vor „Von“ liegen." in error
    assert 'aria-describedby="date_to-error"' in html
    # The filters that hold the message are open, so it is seen on a phone too.
    assert '<details class="filters" open>' in html
    # The list is not silently empty: the usable "from" date still applies.
    assert ">Sommerfest</a>" in html and ">Stammtisch Münster</a>" not in html


def test_the_filters_fold_behind_one_button(client, events):
    html = client.get("/events/", query_string={"city": "Leipzig"}).get_data(as_text=True)
    filters = html.split('<details class="filters">')[1].split("</details>")[0]
    assert "<summary" in filters and "Filter (1)" in filters
    for name in ("city", "group", "kind", "date_from", "date_to"):
        assert f'name="{name}"' in filters
    assert 'name="q"' not in filters and 'name="q"' in html  # the search word stays in view


def test_postgresql_under_the_c_locale_folds_the_same(postgres_server):
    """lower() folds only ASCII there: the upper-case umlauts are spelled out anyway."""
    from sqlalchemy import create_engine, literal, select

    from meetup.search import folded

    postgres_server.execute("CREATE DATABASE search_c_locale TEMPLATE template0 "
                            "LC_COLLATE 'C' LC_CTYPE 'C'")
    engine = create_engine(postgres_server.url("search_c_locale"))
    try:
        with engine.connect() as connection:
            for text in ("MÜNSTER", "Straße", "STRAẞE", "Ärztekammer", "ÖL", "Füße"):
                assert connection.scalar(select(folded(literal(text)))) == fold(text), text
    finally:
        engine.dispose()
        postgres_server.execute("DROP DATABASE search_c_locale WITH (FORCE)")
