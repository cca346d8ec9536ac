"""The mail service: SMTP when configured, the log when not."""

from pathlib import Path

import pytest

from meetup.mail import build_message, deliver, send_mail
from meetup.notify.sender import send_pending
from tests.helpers import redirects_to, submit


def test_without_a_mail_server_mails_go_to_the_log(app, client, caplog, mailbox):
    app.config["MAIL_SERVER"] = None
    with caplog.at_level("INFO", logger=app.logger.name):
        response = submit(client, "/auth/signup", {
            "name": "Ohne Server", "email": "os@example.com", "password": "long-enough-1"})
        with app.app_context():
            assert send_pending().sent == 1  # the sender hands it to the log
    redirects_to(response, "/auth/signup/sent")
    assert "To: os@example.com" in caplog.text
    assert "/auth/verify/" in caplog.text
    assert mailbox.messages == []


def test_mail_goes_through_smtp_with_headers(app, mailbox):
    class Person:
        name = "Mara"

    with app.test_request_context():
        assert send_mail("mara@example.com", "reset_password", "en", user=Person(),
                         link="http://127.0.0.1/x")
    mail = mailbox.wait_for("mara@example.com")[0]
    assert mail["Subject"] == "Choose a new password"
    assert mail["Message-ID"] and mail["Date"]
    assert "Hello Mara," in mail.get_content()


def test_an_unreachable_mail_server_is_reported_not_raised(app):
    app.config["MAIL_PORT"] = 1

    class Person:
        name = "Mara"

    with app.test_request_context():
        assert send_mail("mara@example.com", "verify_email", "de", user=Person(),
                         link="http://127.0.0.1/x") is False


@pytest.mark.parametrize("subject", [
    "Neue Bewerbung für den Club „Unternehmerclub Münster“",
    "Sie sind dabei: Stammtisch am Prinzipalmarkt – Di., 8. Dezember 2026, 19:00 Uhr, "
    "Brauerei Pinkus Müller, Münster – mit Einladung für Ihren Kalender",
    "Ärger über Öffnungszeiten? Übergabe der Leitung an Jürgen Weiß – „Gründerkreis“ " * 3,
])
def test_long_subjects_and_names_with_umlauts_arrive_word_for_word(app, mailbox, subject):
    name = "Paula Müller-Lüdenscheidt via Unternehmerclub Münster – Westfälische Wirtschaft"
    with app.test_request_context():
        deliver(build_message("mara@example.com", subject.strip(), "Text", sender_name=name))
    mail = mailbox.wait_for("mara@example.com")[0]
    assert mail["Subject"] == subject.strip()
    assert mail["From"].addresses[0].display_name == name


def test_every_mail_has_an_html_part_beside_its_text():
    """Each ``templates/mail/<kind>.txt`` has its ``.html`` twin, so no kind of mail goes
    out as bare text while the others are formatted (the sender takes the twin when it
    exists)."""
    folder = Path(__file__).resolve().parent.parent / "templates" / "mail"
    kinds = {path.stem for path in folder.glob("*.txt") if not path.stem.startswith("_")}
    assert len(kinds) > 30
    assert sorted(kind for kind in kinds if not (folder / f"{kind}.html").exists()) == []
