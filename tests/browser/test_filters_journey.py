"""The event filters: behind one button on a phone, in view on a wide screen; the
search finds across words with umlauts folded."""

from playwright.sync_api import expect


def test_filters_fold_away_on_a_phone_and_show_on_a_wide_screen(page, live_server, club,
                                                                make_event, tmp_path):
    slug, _owner = club
    make_event(slug, title="Stammtisch am Prinzipalmarkt")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/events/")
    city = page.get_by_label("Stadt")
    expect(page.get_by_label("Suchen", exact=True)).to_be_visible()
    expect(city).to_be_hidden()
    page.get_by_text("Filter", exact=True).click()
    expect(city).to_be_visible()
    page.screenshot(path=str(tmp_path / "filters-phone.png"), full_page=True)
    city.select_option("Münster")
    page.get_by_role("button", name="Suchen").click()
    expect(page.get_by_text("Filter (1)")).to_be_visible()
    expect(page.get_by_role("link", name="Stammtisch am Prinzipalmarkt")).to_be_visible()

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server}/events/")
    expect(page.get_by_label("Stadt")).to_be_visible()
    expect(page.get_by_text("Filter", exact=True)).to_be_hidden()
    page.get_by_label("Suchen", exact=True).fill("stammtisch MUENSTER")
    page.get_by_role("button", name="Suchen").click()
    expect(page.get_by_role("link", name="Stammtisch am Prinzipalmarkt")).to_be_visible()
    page.screenshot(path=str(tmp_path / "filters-wide.png"), full_page=True)
