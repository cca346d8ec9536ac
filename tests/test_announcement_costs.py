"""An announcement costs the same number of statements for 5 recipients as for 50:
everyone's preferences are read in one query (``preferences.opted_out``) and the
copies are queued in one INSERT; those who switched announcements off (for all
clubs or for this one) still get none."""

import threading
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from meetup.database import retry_when_locked, transaction
from meetup.errors import RuleError
from meetup.extensions import db
from meetup.models import Audience, Group, OutboxMessage, User
from meetup.notify import announcements, outbox, preferences
from meetup.notify.outbox import Mail, prepare_each, queue, queue_prepared
from meetup.notify.sender import send_pending
from tests.helpers import another_writer_can_start

ANNOUNCEMENT = {"announcement": SimpleNamespace(subject="Sommerfest", body="Bitte vormerken."),
                "group": SimpleNamespace(name="Unternehmerclub Münster"), "event": None,
                "author": "Olga Owner", "link": "http://localhost/groups/x",
                "contact_link": "http://localhost/groups/x/contact"}


def club_of(app, make_user, make_group, add_member, name: str, size: int) -> tuple[str, str]:
    """A club of ``size`` members besides its owner (slug, owner's address); every
    fifth switched announcements off, for all clubs or (every tenth) for this club only."""
    slug = make_group(make_user(f"owner-{size}@example.com", name="Olga Owner")[0], name=name)
    for number in range(size):
        user_id, _ = make_user(f"m{number}-{size}@example.com", name=f"Mitglied {number}",
                               locale="en" if number % 2 else None)
        add_member(slug, user_id)
        if number % 5 == 4:
            with app.app_context(), transaction():
                user, group = db.session.get(User, user_id), group_named(slug)
                if number % 10 == 9:
                    preferences.save_club(user, group, announcements=False)
                else:
                    preferences.save(user, {"announcements": False})
    return slug, f"owner-{size}@example.com"


def group_named(slug: str) -> Group:
    return db.session.scalar(select(Group).filter_by(slug=slug))


def announce(app, count_queries, slug: str, owner: str) -> tuple[int, int]:
    """(statements, copies queued) of one announcement to every member."""
    with app.app_context():
        group = group_named(slug)
        author = db.session.scalar(select(User).filter_by(email=owner))
        with count_queries() as statements:
            drafted = announcements.draft(author, group, None, Audience.MEMBERS,
                                          "Sommerfest", "Bitte vormerken.")
            with transaction():
                entry = announcements.send(drafted)
        copies = db.session.scalar(select(func.count(OutboxMessage.id)).filter_by(
            subject_key=f"announcement:{entry.id}"))
        assert copies == entry.recipient_count
        return len(statements), copies


def test_announcing_to_fifty_costs_what_announcing_to_five_does(app, make_user, make_group,
                                                                add_member, count_queries,
                                                                mailbox):
    small = club_of(app, make_user, make_group, add_member, "Kleiner Kreis", 5)
    large = club_of(app, make_user, make_group, add_member, "Großer Club", 50)
    small_cost, small_copies = announce(app, count_queries, *small)
    large_cost, large_copies = announce(app, count_queries, *large)
    assert (small_copies, large_copies) == (1 + 4, 1 + 40)  # the owner, and who wants it
    assert large_cost == small_cost
    with app.app_context():
        send_pending()
    arrived = {mail["To"]: mail for mail in mailbox.wait_for_count(45)}
    assert "m4-50@example.com" not in arrived and "m9-50@example.com" not in arrived
    english = arrived["m1-50@example.com"]
    assert english["Subject"] == "Sommerfest" and english["List-Unsubscribe-Post"]
    assert "Unsubscribe from these mails:" in english.get_body(("plain",)).get_content()
    assert "Diese E-Mails abbestellen:" in arrived["m0-50@example.com"].get_body(
        ("plain",)).get_content()


def test_copies_queued_already_are_not_queued_again(app, make_user):
    ids = [make_user(f"p{number}@example.com", name=f"Person {number}")[0]
           for number in range(3)]
    with app.app_context(), transaction():
        people = [db.session.get(User, user_id) for user_id in ids]
        queue(people[0].email, "announcement", "", kind="announcement", key="announcement:7",
              user=people[0], **ANNOUNCEMENT)
        copies = prepare_each([Mail(person, {}, {"unsubscribe": None}) for person in people],
                              "announcement", **ANNOUNCEMENT)
        assert queue_prepared(copies, kind="announcement", key="announcement:7") == 2
        assert queue_prepared(copies, kind="announcement", key="announcement:7") == 0
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage.recipient).filter_by(
            subject_key="announcement:7").order_by(OutboxMessage.recipient)).all()
    assert rows == ["p0@example.com", "p1@example.com", "p2@example.com"]


def test_a_copy_another_transaction_queues_meanwhile_is_queued_once(app, make_user):
    """The INSERT of all copies waits for the other transaction's row; when that
    commits, each copy is queued on its own and that one is found."""
    ids = [make_user(f"p{number}@example.com", name=f"Person {number}")[0]
           for number in range(3)]
    inserted, done = threading.Event(), {}

    def first():
        with app.app_context():
            person = db.session.get(User, ids[1])
            queue(person.email, "announcement", "", kind="announcement", key="announcement:8",
                  user=person, **ANNOUNCEMENT)
            inserted.set()
            time.sleep(0.2)  # the other one is waiting for this row now
            db.session.commit()

    @retry_when_locked
    def second():
        people = [db.session.get(User, user_id) for user_id in ids]
        copies = prepare_each([Mail(person, {}, {"unsubscribe": None}) for person in people],
                              "announcement", **ANNOUNCEMENT)
        queue_prepared(copies, kind="announcement", key="announcement:8")
        db.session.commit()

    def run_second():
        inserted.wait(timeout=10)
        with app.app_context():
            second()
            done["second"] = True

    threads = [threading.Thread(target=first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert done == {"second": True}
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage.recipient).filter_by(
            subject_key="announcement:8").order_by(OutboxMessage.recipient)).all()
    assert rows == ["p0@example.com", "p1@example.com", "p2@example.com"]


def test_a_club_larger_than_one_statement_takes_is_asked_in_slices(app, make_user, make_group,
                                                                   add_member, count_queries,
                                                                   mailbox, monkeypatch):
    """PostgreSQL takes at most 65,535 parameters a statement: the preferences and the
    copies already queued are read ``IN_LIST_SIZE`` recipients at a time, so slices of
    three give everyone of a club of 50 (and the owner) what one statement gives."""
    slug, owner = club_of(app, make_user, make_group, add_member, "Großer Club", 50)
    whole, copies = announce(app, count_queries, slug, owner)
    monkeypatch.setattr("meetup.database.IN_LIST_SIZE", 3)
    sliced, sliced_copies = announce(app, count_queries, slug, owner)
    assert copies == sliced_copies == 1 + 40
    assert sliced > whole  # one statement per slice of three
    with app.app_context():
        recipients = db.session.scalars(select(OutboxMessage.recipient).where(
            OutboxMessage.kind == "announcement")).all()
    assert len(recipients) == 2 * 41
    assert "m4-50@example.com" not in recipients and "m9-50@example.com" not in recipients


def test_seventy_thousand_recipients_are_asked_for_without_error(app, make_user, make_group):
    """More people than one statement may name (65,535 on PostgreSQL): the answer
    still comes, for saved switches among them too."""
    user_id, _ = make_user("aus@example.com", name="Ausgeschaltet")
    owner_id, _ = make_user("owner@example.com", name="Olga Owner")
    slug = make_group(owner_id, name="Riesenclub")
    with app.app_context(), transaction():
        preferences.save(db.session.get(User, user_id), {"announcements": False})
    with app.app_context():
        people = [db.session.get(User, user_id), db.session.get(User, owner_id),
                  *(User(id=number) for number in range(owner_id + 1, owner_id + 70_000))]
        assert preferences.opted_out(people, "announcements", group_named(slug)) == {user_id}
        # Off until switched on: everyone with an account among them.
        assert preferences.opted_out(people, "organiser_summary") == {user_id, owner_id}


only_sqlite = pytest.mark.parametrize("database_uri", ["sqlite"], indirect=True)


@only_sqlite
def test_the_copies_are_rendered_before_the_write_lock_is_taken(app, database_uri, make_user,
                                                               make_group, add_member,
                                                               count_queries, monkeypatch):
    """Rendering a copy for every member of a large club takes a while: meanwhile
    other people's RSVPs and edits must go through, not wait for SQLite's lock."""
    slug, owner = club_of(app, make_user, make_group, add_member, "Großer Club", 20)
    path, original, free = database_uri.removeprefix("sqlite:///"), outbox._render, []

    def render(*args, **kwargs):
        free.append(another_writer_can_start(path))
        return original(*args, **kwargs)

    monkeypatch.setattr(outbox, "_render", render)
    _statements, copies = announce(app, count_queries, slug, owner)
    assert copies == 1 + 16 and len(free) == copies and all(free)
    assert another_writer_can_start(path)


def test_an_announcement_refused_for_the_day_queues_nothing(app, make_user, make_group,
                                                          add_member, count_queries):
    app.config["ANNOUNCEMENTS_PER_DAY"] = 1
    slug, owner = club_of(app, make_user, make_group, add_member, "Kleiner Kreis", 5)
    announce(app, count_queries, slug, owner)
    with app.app_context():
        before = db.session.scalar(select(func.count(OutboxMessage.id)))
        author = db.session.scalar(select(User).filter_by(email=owner))
        drafted = announcements.draft(author, group_named(slug), None, Audience.MEMBERS,
                                      "Noch einmal", "Bitte vormerken.")
        with pytest.raises(RuleError) as refused, transaction():
            announcements.send(drafted)
        assert refused.value.status == 429
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == before
