"""Dana looks for a tax advisor: her contact Anna knows Ben, who knows Tina. She asks
Anna for an introduction, Anna forwards it, Tina accepts; the mails arrive by SMTP."""

from playwright.sync_api import expect

from meetup.notify.sender import send_pending
from tests.intro_world import build
from tests.notify_world import text_of


def deliver(app) -> None:
    with app.app_context():
        send_pending()


def test_a_member_finds_a_tax_advisor_through_two_contacts(
        app, signed_in_pages, live_server, mailbox, make_user, make_group, add_member,
        make_event):
    build(app, make_user, make_group, add_member, make_event)
    dana, anna, tina = signed_in_pages("dana@example.com", "anna@example.com",
                                       "tina@example.com")

    dana.goto(f"{live_server}/contacts/")
    dana.get_by_label("Menschen über meine Kontakte finden: eine Branche").fill("Steuerberatung")
    dana.get_by_role("button", name="Finden").click()
    path = dana.locator(".intro-path").filter(has_text="Tina Steuer")
    expect(path).to_contain_text("Sie → Anna Schneider → Ben Bauer → Tina Steuer")
    path.get_by_label("Eine kurze Nachricht").fill("Ich brauche Hilfe bei der Umsatzsteuer.")
    path.get_by_role("button", name="Anna Schneider um eine Vorstellung bitten").click()
    expect(dana.get_by_text("Ihre Anfrage ist unterwegs zu Anna Schneider.")).to_be_visible()
    expect(dana.get_by_text("wartet auf Anna Schneider")).to_be_visible()
    deliver(app)
    [asked] = mailbox.wait_for("anna@example.com")
    assert "Umsatzsteuer" in text_of(asked)

    anna.goto(f"{live_server}/contacts/introductions/")
    request = anna.locator(".intro-waiting")
    expect(request).to_contain_text("Dana Dorn bittet Sie um eine Vorstellung bei Tina Steuer.")
    expect(request).to_contain_text("Sie kennen Tina Steuer über Ben Bauer.")
    request.get_by_role("button", name="Einander vorstellen").click()
    expect(anna.get_by_text("Vielen Dank. Beide haben eine E-Mail erhalten")).to_be_visible()
    deliver(app)
    [to_tina] = mailbox.wait_for("tina@example.com")
    [to_dana] = mailbox.wait_for("dana@example.com")
    assert to_tina["Subject"] == "Anna Schneider möchte Ihnen Dana Dorn vorstellen"
    assert to_dana["Subject"] == "Anna Schneider stellt Sie Tina Steuer vor"

    tina.goto(f"{live_server}/contacts/introductions/")
    tina.get_by_role("button", name="Ja, E-Mail-Adressen austauschen").click()
    expect(tina.get_by_text("Angenommen.")).to_be_visible()
    deliver(app)
    addresses = mailbox.wait_for("dana@example.com", count=2)[-1]
    assert "tina@example.com" in text_of(addresses)
    assert "dana@example.com" in text_of(mailbox.wait_for("tina@example.com", count=2)[-1])
    dana.goto(f"{live_server}/contacts/introductions/")
    expect(dana.get_by_text("angenommen: tina@example.com")).to_be_visible()


def test_introduction_pages_have_no_wcag_violations(page, live_server, app):
    """The demo login's search results (two and three hops) and her requests."""
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_accessibility import WCAG

    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    page.goto(live_server + "/auth/login")
    page.get_by_label("E-Mail-Adresse").fill("anna.schneider@example.com")
    page.get_by_label("Passwort").fill("treffpunkt-demo")
    page.get_by_role("button", name="Anmelden", exact=True).click()
    for term in ("Steuerberatung", "Zollrecht", "x" * 200):
        path = f"/contacts/introductions/?q={term}"
        page.goto(live_server + path)
        results = Axe().run(page, options=WCAG)
        assert results.violations_count == 0, f"{path}\n{results.generate_report()}"
    page.goto(live_server + "/contacts/introductions/?q=Zollrecht")
    expect(page.locator(".intro-path").first).to_contain_text("→")
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
