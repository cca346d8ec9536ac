"""After the Stammtisch: Anna and Ben were both there, mark each other, both see the
contact with the evening, and Anna keeps a note and a follow-up date."""

from datetime import date, timedelta

from playwright.sync_api import expect

from meetup.extensions import db
from meetup.models import RSVP, Event


def test_we_met_and_follow_up(app, signed_in_pages, live_server, make_user, make_group,
                              add_member, make_event):
    owner_id, _ = make_user("chair@example.com", name="Clara Vorsitz")
    slug = make_group(owner_id, "Unternehmerclub Münster")
    event_id = make_event(slug, title="Stammtisch", days=-1)
    people = {}
    for email, name in (("anna@example.com", "Anna Schneider"), ("ben@example.com", "Ben Bauer")):
        people[email] = make_user(email, name=name)[0]
        add_member(slug, people[email])
    with app.app_context():
        start = db.session.get(Event, event_id).starts_at
        for user_id in people.values():  # both were let in at the door
            db.session.add(RSVP(event_id=event_id, user_id=user_id,
                                checked_in_at=start + timedelta(minutes=10)))
        db.session.commit()
    anna, ben = signed_in_pages("anna@example.com", "ben@example.com")

    anna.goto(f"{live_server}/events/{event_id}")
    anna.get_by_role("link", name="Wen haben Sie getroffen?").click()
    expect(anna.get_by_role("heading", name="Wen haben Sie getroffen?")).to_be_visible()
    anna.get_by_label("Ben Bauer").check()
    anna.get_by_role("button", name="Speichern").click()
    expect(anna.get_by_text("Ihre Markierungen bleiben privat")).to_be_visible()
    expect(anna.get_by_label("Ben Bauer")).to_be_checked()

    ben.goto(f"{live_server}/contacts/")
    expect(ben.get_by_text("Anna Schneider sagt, Sie haben sich bei Stammtisch am")).to_be_visible()
    ben.get_by_role("button", name="Ja, wir haben uns getroffen").click()
    expect(ben.get_by_text("Bestätigt.")).to_be_visible()

    for page, other in ((ben, "Anna Schneider"), (anna, "Ben Bauer")):
        page.goto(f"{live_server}/contacts/")
        contact = page.locator(".people-list > li").filter(has_text=other)
        expect(contact).to_contain_text("Unternehmerclub Münster")
        expect(contact.get_by_role("link", name="Stammtisch")).to_be_visible()
        expect(contact).to_contain_text("Einmal getroffen")

    follow_up = date.today() + timedelta(days=7)
    anna.get_by_role("link", name="Ben Bauer").click()
    anna.get_by_label("Meine Notizen").fill("Sucht Nachfolger für den Betrieb; Steuerfrage klären.")
    anna.get_by_label("Wiedervorlage am").fill(follow_up.isoformat())
    anna.get_by_role("button", name="Speichern").click()
    expect(anna.get_by_text("Ihre Notizen sind gespeichert.")).to_be_visible()
    expect(anna.get_by_label("Meine Notizen")).to_have_value(
        "Sucht Nachfolger für den Betrieb; Steuerfrage klären.")
    anna.get_by_role("link", name="Meine Kontakte").first.click()
    expect(anna.get_by_text("Wiedervorlage am")).to_be_visible()

    ben.reload()
    expect(ben.locator("main")).not_to_contain_text("Steuerfrage")
    expect(ben.locator("main")).not_to_contain_text("Wiedervorlage am")


def test_contact_pages_have_no_wcag_violations(page, live_server, app):
    """The demo login's contacts: prompt, open evening, due follow-up, a card, blocks."""
    from axe_playwright_python.sync_playwright import Axe
    from sqlalchemy import select

    from meetup.models import ContactCard, User
    from tests.browser.test_accessibility import WCAG

    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        anna = db.session.scalar(select(User).filter_by(email="anna.schneider@example.com"))
        contact = db.session.scalars(select(ContactCard.other_id).filter_by(owner_id=anna.id)
                                     .order_by(ContactCard.id)).first()
        recent = db.session.scalar(select(Event.id).filter_by(
            title="Vortrag: Nachfolge im Mittelstand"))
    page.goto(live_server + "/auth/login")
    page.get_by_label("E-Mail-Adresse").fill("anna.schneider@example.com")
    page.get_by_label("Passwort").fill("treffpunkt-demo")
    page.get_by_role("button", name="Anmelden", exact=True).click()
    for path in ["/contacts/", f"/contacts/met/{recent}", f"/contacts/{contact}",
                 "/contacts/blocked", "/contacts/?q=" + "x" * 200]:
        page.goto(live_server + path)
        results = Axe().run(page, options=WCAG)
        assert results.violations_count == 0, f"{path}\n{results.generate_report()}"
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ["/contacts/", f"/contacts/met/{recent}"]:
        page.goto(live_server + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
