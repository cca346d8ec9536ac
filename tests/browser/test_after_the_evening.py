"""After the evening, the whole way (issue #13): Anna and Ben were at the Stammtisch
and mark each other; both see the contact with the evening. Anna sets a follow-up
date; when its day comes, the tick queues the reminder and it arrives over SMTP.
Carla, whom Anna met earlier, looks for tax advice and finds Dieter, whom Ben knows,
through Anna and Ben; Anna forwards her request, Dieter accepts, and every mail of
the introduction arrives once, to the right person.

Only the setting-up is written to the database; every step the issue lists is taken
in the browser, through the real pages and forms."""

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from playwright.sync_api import Page, expect

from meetup.extensions import db
from meetup.models import RSVP, Event, User, utcnow
from meetup.notify import schedule
from tests.helpers import PASSWORD
from tests.intro_world import link

PEOPLE = {"anna": "Anna Schneider", "ben": "Ben Bauer", "carla": "Carla Conrad",
          "dieter": "Dieter Steuer", "eva": "Eva Ernst"}
BERLIN = ZoneInfo("Europe/Berlin")
NOTE = "Sucht eine Nachfolge für den Betrieb."


@dataclass
class World:
    ids: dict[str, int]
    evening: int  # the Stammtisch that ended last night
    starts_at: object


def address(key: str) -> str:
    return f"{key}@example.com"


def build(app, make_user, make_group, add_member, make_event, locale: str) -> World:
    """The club; Anna, Ben and Eva went to last night's Stammtisch (the organiser
    did no check-in); Carla met Anna, Dieter (a tax advisor) met Ben, months ago."""
    chair, _ = make_user("chair@example.com", name="Clara Vorsitz", locale=locale)
    club = make_group(chair, "Unternehmerclub Münster")
    ids = {key: make_user(address(key), name=name, locale=locale)[0]
           for key, name in PEOPLE.items()}
    for user_id in ids.values():
        add_member(club, user_id)
    evening = make_event(club, title="Stammtisch", days=-1)
    spring = make_event(club, title="Frühjahrsempfang", days=-90)
    summer = make_event(club, title="Sommerfest", days=-60)
    with app.app_context():
        for key in ("anna", "ben", "eva"):
            db.session.add(RSVP(event_id=evening, user_id=ids[key]))
        dieter = db.session.get(User, ids["dieter"])
        dieter.position, dieter.company = "Steuerberater", "Kanzlei Steuer & Partner"
        dieter.offers = ["Steuerberatung", "Nachfolgeplanung"]
        db.session.commit()
        starts_at = db.session.get(Event, evening).starts_at
    link(app, ids["anna"], ids["carla"], [spring])
    link(app, ids["ben"], ids["dieter"], [summer])
    return World(ids, evening, starts_at)


def open_page(browser, site: str, key: str, locale: str) -> Page:
    """A person's own browser, logged in through the login form."""
    context = browser.new_context(locale=locale, timezone_id="Europe/Berlin")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(site + "/auth/login")
    page.get_by_label("E-Mail-Adresse").fill(address(key))
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.locator(".menu > summary")).to_be_visible()
    return page


def mark(page: Page, site: str, evening: int, name: str) -> None:
    """From the evening's page to "Whom did you meet?", and tick one person."""
    page.goto(f"{site}/events/{evening}")
    page.get_by_role("link", name="Wen haben Sie getroffen?").click()
    expect(page.get_by_role("heading", name="Wen haben Sie getroffen?")).to_be_visible()
    page.get_by_label(name).check()
    page.get_by_role("button", name="Speichern").click()


def plain(mail) -> str:
    return mail.get_body(("plain",)).get_content().replace("\r\n", "\n")


def run_cli(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_after_the_evening(app, browser, live_server, mailbox, screenshot, make_user,
                           make_group, add_member, make_event):
    world = build(app, make_user, make_group, add_member, make_event, "de")
    site = live_server
    anna, ben, carla, dieter = (open_page(browser, site, key, "de-DE")
                                for key in ("anna", "ben", "carla", "dieter"))
    when = format_skeleton("yMMMMEd", world.starts_at, tzinfo=BERLIN, locale="de")

    # Anna marks Ben: private until Ben marks her too.
    mark(anna, site, world.evening, "Ben Bauer")
    expect(anna.get_by_text("Ihre Markierungen bleiben privat")).to_be_visible()
    expect(anna.get_by_label("Ben Bauer")).to_be_checked()
    expect(anna.get_by_label("Eva Ernst")).not_to_be_checked()
    screenshot(anna, "after-the-evening-whom-did-you-meet")

    # Ben sees her prompt on his contacts, and marks her on the evening's page.
    ben.goto(f"{site}/contacts/")
    expect(ben.get_by_text(f"Anna Schneider sagt, Sie haben sich bei Stammtisch am {when}"
                           " getroffen – bestätigen?")).to_be_visible()
    screenshot(ben, "after-the-evening-prompt")
    mark(ben, site, world.evening, "Anna Schneider")
    expect(ben.get_by_text("Gespeichert. Sie haben einen neuen Kontakt.")).to_be_visible()

    # Both see the contact with the evening: the club, the event (a link), the day.
    for page, other in ((anna, "Ben Bauer"), (ben, "Anna Schneider")):
        page.get_by_role("link", name="Meine Kontakte").first.click()
        contact = page.locator(".people-list > li").filter(has_text=other)
        expect(contact).to_contain_text(f"Unternehmerclub Münster · Stammtisch · {when}")
        expect(contact.get_by_role("link", name="Stammtisch")).to_have_attribute(
            "href", f"/events/{world.evening}")
        expect(contact).to_contain_text("Einmal getroffen")
    expect(ben.get_by_text("sagt, Sie haben sich")).to_have_count(0)
    screenshot(anna, "after-the-evening-my-contacts")

    # Anna notes a follow-up in three days.
    follow_up = (utcnow() + timedelta(days=3)).date()
    anna.locator(".people-list").get_by_role("link", name="Ben Bauer").click()
    anna.get_by_label("Meine Notizen").fill(NOTE)
    anna.get_by_label("Wiedervorlage am").fill(follow_up.isoformat())
    anna.get_by_role("button", name="Speichern").click()
    expect(anna.get_by_text("Ihre Notizen sind gespeichert.")).to_be_visible()
    expect(anna.get_by_label("Wiedervorlage am")).to_have_value(follow_up.isoformat())
    screenshot(anna, "after-the-evening-contact-card")

    # Today nothing is due; three days on, the tick queues the reminder.
    assert "follow ups 0" in run_cli(app, "notifications", "tick")
    with app.app_context():
        assert schedule.tick(utcnow() + timedelta(days=3)).follow_ups == 1
    assert "sent 1" in run_cli(app, "outbox", "send")
    [reminder] = mailbox.wait_for(address("anna"))
    assert reminder["Subject"] == "Wiedervorlage heute: 1 Kontakt"
    body = plain(reminder)
    assert "Guten Tag Anna Schneider," in body
    assert f"Sie wollten sich wieder melden bei:\n\n- Ben Bauer: {NOTE}" in body
    assert f"Ihre Kontakte: {site}/contacts/" in body
    assert f"Diese E-Mails abbestellen: {site}/mail/unsubscribe/" in body  # below the link
    anna.goto(f"{site}/contacts/")
    expect(anna.locator(".people-list").get_by_role("link", name="Ben Bauer")).to_be_visible()
    assert not mailbox.arrived()[1:], "the reminder is the only mail so far"

    # Carla looks for tax advice: a path through Anna and Ben to Dieter.
    carla.goto(f"{site}/contacts/")
    carla.get_by_label("Menschen über meine Kontakte finden: eine Branche").fill(
        "Steuerberatung")
    carla.get_by_role("button", name="Finden").click()
    path = carla.locator(".intro-path").filter(has_text="Dieter Steuer")
    expect(path).to_contain_text("Steuerberater, Kanzlei Steuer & Partner")
    expect(path).to_contain_text("Sie → Anna Schneider → Ben Bauer → Dieter Steuer")
    screenshot(carla, "after-the-evening-introduction-paths")
    path.get_by_label("Eine kurze Nachricht").fill("Ich übernehme einen Betrieb und "
                                                   "brauche steuerlichen Rat.")
    path.get_by_role("button", name="Anna Schneider um eine Vorstellung bitten").click()
    expect(carla.get_by_text("Ihre Anfrage ist unterwegs zu Anna Schneider.")).to_be_visible()
    expect(carla.get_by_text("wartet auf Anna Schneider")).to_be_visible()

    run_cli(app, "outbox", "send")
    [_, asked] = mailbox.wait_for(address("anna"), count=2)
    assert asked["Subject"] == "Carla Conrad bittet Sie um eine Vorstellung"
    assert "Sie kennen Dieter Steuer über Ben Bauer." in plain(asked)
    assert "steuerlichen Rat" in plain(asked)

    # Anna follows the mail's link and forwards the request.
    anna.goto(mailbox.last_link(address("anna")))
    request = anna.locator(".intro-waiting")
    expect(request).to_contain_text(
        "Carla Conrad bittet Sie um eine Vorstellung bei Dieter Steuer.")
    expect(request).to_contain_text("Sie kennen Dieter Steuer über Ben Bauer.")
    screenshot(anna, "after-the-evening-introduction-request")
    request.get_by_role("button", name="Einander vorstellen").click()
    expect(anna.get_by_text("Vielen Dank. Beide haben eine E-Mail erhalten")).to_be_visible()

    run_cli(app, "outbox", "send")
    [forwarded] = mailbox.wait_for(address("dieter"))
    [passed_on] = mailbox.wait_for(address("carla"))
    assert forwarded["Subject"] == "Anna Schneider möchte Ihnen Carla Conrad vorstellen"
    assert passed_on["Subject"] == "Anna Schneider stellt Sie Dieter Steuer vor"
    assert "steuerlichen Rat" in plain(forwarded)

    # Dieter accepts: only now do the two receive each other's address.
    assert address("dieter") not in plain(passed_on)
    dieter.goto(mailbox.last_link(address("dieter")))
    expect(dieter.locator(".intro-waiting")).to_contain_text(
        "Anna Schneider möchte Ihnen Carla Conrad vorstellen.")
    dieter.get_by_role("button", name="Ja, E-Mail-Adressen austauschen").click()
    expect(dieter.get_by_text("Angenommen.")).to_be_visible()

    run_cli(app, "outbox", "send")
    [_, to_carla] = mailbox.wait_for(address("carla"), count=2)
    [_, to_dieter] = mailbox.wait_for(address("dieter"), count=2)
    assert to_carla["Subject"] == "Sie und Dieter Steuer: Die Vorstellung ist erfolgt"
    assert "Dieter Steuer <dieter@example.com>" in plain(to_carla)
    assert "Carla Conrad <carla@example.com>" in plain(to_dieter)
    carla.goto(f"{site}/contacts/introductions/")
    expect(carla.get_by_text("angenommen: dieter@example.com")).to_be_visible()
    screenshot(carla, "after-the-evening-introduction-accepted")

    # Every mail once, and to nobody else: Ben and Eva were told nothing.
    arrived = mailbox.arrived()
    assert sorted(m["To"].addresses[0].addr_spec for m in arrived) == [
        "anna@example.com", "anna@example.com", "carla@example.com", "carla@example.com",
        "dieter@example.com", "dieter@example.com"]
    assert set(mailbox.by_message_id().values()) == {1}
