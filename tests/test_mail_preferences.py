"""Mail preferences: the page under "My account", every scheduled and non-essential
mail respecting it, one-click unsubscribing (RFC 8058) without a login or CSRF token,
new events at once or weekly per club, organiser alerts and the daily summary, and
the contact follow-up reminder."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from meetup.database import transaction
from meetup.extensions import db
from meetup.models import (
    RSVP,
    Contact,
    ContactCard,
    Event,
    EventSeries,
    Group,
    NewEvents,
    OutboxMessage,
    SeriesFrequency,
    User,
    utcnow,
)
from meetup.notify import preferences
from tests.helpers import csrf_token, log_in
from tests.notify_world import deliver, people_going, starts, subjects, text_of, tick
from tests.test_notifications import answer, member

PEOPLE = [("anna@example.com", "Anna Schneider", None), ("jens@example.com", "Jens Weber", "en")]


def wants(app, email, kind, slug=None) -> bool:
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email=email))
        group = db.session.scalar(select(Group).filter_by(slug=slug)) if slug else None
        return preferences.wants(user, kind, group)


def group_id(app, slug) -> int:
    with app.app_context():
        return db.session.scalar(select(Group.id).filter_by(slug=slug))


def save_page(client, data: dict):
    html = client.get("/account/mail").get_data(as_text=True)
    return client.post("/account/mail", data={"csrf_token": csrf_token(html), **data})


def test_the_page_saves_personal_and_club_choices(app, club, make_user, add_member):
    slug = club[0]
    anna = member(app, make_user, add_member, slug, "anna@example.com", "Anna Schneider")
    page = anna.get("/account/mail")
    assert page.status_code == 200 and "Unternehmerclub Münster" in page.get_data(as_text=True)
    assert wants(app, "anna@example.com", "reminders")
    assert not wants(app, "anna@example.com", "organiser_summary")
    gid = group_id(app, slug)
    response = save_page(anna, {"still_coming": "y", "announcements": "y",
                                f"club-{gid}-new_events": "weekly"})
    assert response.status_code == 302
    assert not wants(app, "anna@example.com", "reminders")
    assert wants(app, "anna@example.com", "still_coming")
    assert wants(app, "anna@example.com", "announcements")
    assert not wants(app, "anna@example.com", "announcements", slug)  # not for this club
    assert wants(app, "anna@example.com", "new_events", slug)
    with app.app_context():
        user = db.session.scalar(select(User).filter_by(email="anna@example.com"))
        assert preferences.new_events(user, db.session.get(Group, gid)) == NewEvents.WEEKLY
    refused = save_page(anna, {f"club-{gid}-new_events": "hourly"})
    assert refused.status_code == 422
    assert "wie Sie von neuen Veranstaltungen erfahren" in refused.get_data(as_text=True)
    assert app.test_client().get("/account/mail").status_code == 302  # log in first


def test_reminders_respect_the_choice_and_unsubscribe_in_one_click(app, club, make_user,
                                                                   add_member, make_event,
                                                                   mailbox):
    event = make_event(club[0], capacity=10)
    clients = people_going(app, make_user, add_member, club[0], event, PEOPLE)
    save_page(clients["anna@example.com"], {"still_coming": "y"})  # no reminders for Anna
    assert tick(app, starts(app, event) - timedelta(hours=23)).reminders == 1
    deliver(app)
    [mail] = [m for m in mailbox.wait_for("jens@example.com", count=2)
              if m["Subject"] == "Reminder: Stammtisch"]
    assert "Erinnerung: Stammtisch" not in subjects(mailbox, "anna@example.com")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = mail["List-Unsubscribe"].strip("<>")
    assert url in text_of(mail) and url in mail.get_body(("html",)).get_content()
    path = url.replace("http://localhost", "")
    confirm = app.test_client().get(path, headers={"Accept-Language": "en"})
    assert confirm.status_code == 200 and "jens@example.com" in confirm.get_data(as_text=True)
    assert wants(app, "jens@example.com", "reminders")  # opening the page changes nothing
    # What a mail client sends (RFC 8058): no cookie, no CSRF token, no login.
    done = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert not wants(app, "jens@example.com", "reminders")
    assert wants(app, "jens@example.com", "still_coming")
    assert app.test_client().post(path[:-4] + "abcd").status_code == 400
    assert app.test_client().get(path[:-4] + "abcd").status_code == 400


def test_the_daily_summary_is_of_the_clubs_own_day_across_the_spring_switch(
        app, club, make_user, add_member, make_event, mailbox):
    """Berlin's 28 March 2027 has 23 hours. Anna answers at 00:30 that day (23:30 UTC
    the day before), Jens at 00:15 the next (22:15 UTC on the 28th): each counts for
    the day it was in Münster, not in UTC."""
    slug, _owner = club
    event = make_event(slug, starts=datetime(2027, 4, 15, 19))
    owner = app.test_client()
    log_in(owner, "owner@example.com")
    save_page(owner, {"reminders": "y", "organiser_summary": "y"})
    people_going(app, make_user, add_member, slug, event, PEOPLE)
    answered = {"anna@example.com": datetime(2027, 3, 27, 23, 30, tzinfo=UTC),
                "jens@example.com": datetime(2027, 3, 28, 22, 15, tzinfo=UTC)}
    with app.app_context(), transaction():
        for email, moment in answered.items():
            user_id = db.session.scalar(select(User.id).filter_by(email=email))
            db.session.execute(update(RSVP).where(RSVP.user_id == user_id)
                               .values(updated_at=moment))
    assert tick(app, datetime(2027, 3, 29, 0, 30, tzinfo=UTC)).summaries == 1  # 02:30 CEST
    assert tick(app, datetime(2027, 3, 29, 21, 30, tzinfo=UTC)).summaries == 0  # 23:30
    assert tick(app, datetime(2027, 3, 29, 22, 30, tzinfo=UTC)).summaries == 1  # 00:30
    deliver(app)
    first, second = (mail for mail in mailbox.wait_for("owner@example.com", count=3)
                     if "neue Anmeldung" in mail["Subject"])
    assert "Anna Schneider" in text_of(first) and "Jens Weber" not in text_of(first)
    assert "28. März 2027" in text_of(first)
    assert "Jens Weber" in text_of(second) and "Anna Schneider" not in text_of(second)
    assert "29. März 2027" in text_of(second)


def test_new_events_at_once_weekly_or_never(app, club, make_user, add_member, make_event,
                                           mailbox):
    slug, _owner = club
    for email, name, mode in (("anna@example.com", "Anna", "immediately"),
                              ("jens@example.com", "Jens", "weekly"),
                              ("mara@example.com", "Mara", "off")):
        client = member(app, make_user, add_member, slug, email, name)
        save_page(client, {"reminders": "y", f"club-{group_id(app, slug)}-new_events": mode})
    event = make_event(slug, title="Sommerfest", days=20)
    now = starts(app, event) - timedelta(days=19)
    assert tick(app, now).new_events == 2  # Anna and the owner
    assert tick(app, now).new_events == 0  # a second tick: told already
    monday = now + timedelta(days=7 - now.weekday())
    assert tick(app, monday).digests == 1
    assert tick(app, monday + timedelta(hours=1)).digests == 0
    deliver(app)
    [news] = mailbox.wait_for("anna@example.com")
    assert news["Subject"] == "Neu im Club „Unternehmerclub Münster“: Sommerfest"
    assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [digest] = mailbox.wait_for("jens@example.com")
    assert digest["Subject"] == "„Unternehmerclub Münster“: 1 neue Veranstaltung diese Woche"
    assert "Sommerfest" in text_of(digest)
    assert subjects(mailbox, "mara@example.com") == []
    # Unsubscribing from the digest switches this club's new-event mails off.
    path = digest["List-Unsubscribe"].strip("<>").replace("http://localhost", "")
    assert app.test_client().post(path).status_code == 200
    assert not wants(app, "jens@example.com", "new_events", slug)


def test_organiser_alerts_and_the_daily_summary(app, club, make_user, add_member, make_event,
                                                mailbox):
    slug, _owner = club
    event = make_event(slug, capacity=1)
    owner = app.test_client()
    log_in(owner, "owner@example.com")
    save_page(owner, {"reminders": "y", "organiser_alerts": "y", "organiser_summary": "y"})
    people_going(app, make_user, add_member, slug, event, PEOPLE)  # Anna going, Jens waiting
    answer(member(app, make_user, add_member, slug, "mara@example.com", "Mara"), event)
    result = tick(app, starts(app, event) - timedelta(days=6))
    assert (result.organiser_alerts, result.summaries) == (2, 1)
    assert tick(app, starts(app, event) - timedelta(days=6)).organiser_alerts == 0
    with app.app_context():
        kinds = db.session.scalars(select(OutboxMessage.kind).filter_by(
            recipient="owner@example.com")).all()
    assert sorted(k for k in kinds if k in ("event_full", "waitlist_forming")) == [
        "event_full", "waitlist_forming"]  # once each
    deliver(app)
    mails = mailbox.wait_for("owner@example.com", count=4)
    by_subject = {m["Subject"]: m for m in mails}
    assert "Ausgebucht: Stammtisch" in by_subject
    assert "Die Warteliste beginnt: Stammtisch" in by_subject
    summary = by_subject["„Unternehmerclub Münster“: 3 neue Anmeldungen"]
    assert "Anna Schneider" in text_of(summary) and "Warteliste" in text_of(summary)
    save_page(owner, {"reminders": "y"})  # alerts and summary off
    second = make_event(slug, title="Kaminabend", capacity=1)
    answer(member(app, make_user, add_member, slug, "paul@example.com", "Paul"), second)
    result = tick(app, starts(app, second) - timedelta(days=6))
    assert (result.organiser_alerts, result.summaries) == (0, 0)
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage).filter_by(
            recipient="owner@example.com", subject_key=f"event:{second}")
            .where(OutboxMessage.kind.in_(["event_full", "waitlist_forming"]))) is None


def test_a_follow_up_whose_day_has_come_is_mailed_once(app, make_user, mailbox):
    anna, _ = make_user("anna@example.com", name="Anna Schneider")
    ben, _ = make_user("ben@example.com", name="Ben Bauer", locale="en")
    with app.app_context():
        contact = Contact(first_id=anna, second_id=ben)
        db.session.add(contact)
        db.session.flush()
        db.session.add(ContactCard(contact_id=contact.id, owner_id=ben, other_id=anna,
                                   note="Steuerfrage", follow_up_on=date.today()))
        db.session.commit()
    now = utcnow() + timedelta(days=1)
    assert tick(app, now).follow_ups == 1
    assert tick(app, now).follow_ups == 0
    deliver(app)
    [mail] = mailbox.wait_for("ben@example.com")
    assert mail["Subject"] == "Follow up today: 1 contact"
    assert "Anna Schneider: Steuerfrage" in text_of(mail)


def test_a_series_is_announced_once_by_its_first_date(app, club, make_user, add_member,
                                                      make_event, mailbox):
    """The first date announces its whole series; the tick then passes over the other
    dates (nothing left to tell) instead of failing on them."""
    slug, _owner = club
    member(app, make_user, add_member, slug, "anna@example.com", "Anna")
    dates = [make_event(slug, title="Stammtisch", days=days) for days in (10, 17, 24)]
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        series = EventSeries(group_id=group.id, frequency=SeriesFrequency.WEEKLY, count=3)
        db.session.add(series)
        db.session.flush()
        for event_id in dates:
            db.session.get(Event, event_id).series_id = series.id
        db.session.commit()
    now = starts(app, dates[0]) - timedelta(days=9)
    assert tick(app, now).new_events == 2  # Anna and the owner, once for the series
    assert tick(app, now).new_events == 0
    deliver(app)
    [news] = mailbox.wait_for("anna@example.com")
    assert "Stammtisch" in news["Subject"]


def test_the_weekly_digest_is_of_the_clubs_own_week(app, club, make_user, add_member,
                                                    make_event, mailbox):
    """Announced at 00:30 on Monday 11 January 2027 in Münster (23:30 UTC on the
    Sunday): the event is news of the week that Monday begins, not of the one before."""
    slug, _owner = club
    client = member(app, make_user, add_member, slug, "jens@example.com", "Jens")
    save_page(client, {"reminders": "y", f"club-{group_id(app, slug)}-new_events": "weekly"})
    make_event(slug, title="Neujahrsempfang", starts=datetime(2027, 2, 15, 19))
    assert tick(app, datetime(2027, 1, 10, 23, 30, tzinfo=UTC)).new_events == 1  # the owner
    assert tick(app, datetime(2027, 1, 11, 7, tzinfo=UTC)).digests == 0
    assert tick(app, datetime(2027, 1, 18, 7, tzinfo=UTC)).digests == 1
    deliver(app)
    [digest] = mailbox.wait_for("jens@example.com")
    assert "Neujahrsempfang" in text_of(digest)
