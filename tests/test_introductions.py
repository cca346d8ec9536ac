"""Introductions over confirmed contacts: who is found, through whom, and the
mails of a request that is forwarded and accepted."""

import re

import pytest
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.introductions import paths
from meetup.models import EXPIRES_AFTER, Block, IntroductionRequest, OutboxMessage, User
from meetup.notify.sender import send_pending
from tests.contacts_world import post, text
from tests.helpers import redirects_to
from tests.intro_world import build, client_for, link, set_user
from tests.notify_world import text_of


@pytest.fixture
def web(app, make_user, make_group, add_member, make_event):
    return build(app, make_user, make_group, add_member, make_event)


def found(app, user_id: int, term: str) -> list[tuple[str, ...]]:
    with app.app_context():
        me = db.session.get(User, user_id)
        return [tuple(p.name for p in (path.via, path.second, path.target) if p is not None)
                for path in paths.find(me, term)]


def test_paths_run_over_confirmed_contacts_to_visible_people_only(app, web):
    # Hugo's profile is hidden from Anna, Olaf switched introductions off, Bert
    # blocked Anna, and Mia only marked Ben: Tina is the one tax advisor found.
    assert found(app, web["ids"]["anna"], "Steuerberatung") == [
        ("Ben Bauer", "Tina Steuer")]
    assert found(app, web["ids"]["anna"], "steuer partner") == [("Ben Bauer", "Tina Steuer")]


def test_three_hops_and_offers_with_umlauts(app, web):
    assert found(app, web["ids"]["anna"], "Zollrecht") == [
        ("Ben Bauer", "Cara Conrad", "Zoe Zoll")]
    assert found(app, web["ids"]["anna"], "außenhandel") == [
        ("Ben Bauer", "Cara Conrad", "Zoe Zoll")]
    # My own contacts are no targets, and nobody is reached through me.
    assert found(app, web["ids"]["ben"], "Zollrecht") == [("Cara Conrad", "Zoe Zoll")]


def test_a_block_on_the_way_ends_the_path(app, web):
    ids = web["ids"]
    with app.app_context():
        db.session.add(Block(blocker_id=ids["cara"], blocked_id=ids["anna"]))
        db.session.commit()
    assert found(app, ids["anna"], "Zollrecht") == []


def test_the_searcher_blocking_the_target_ends_the_path(app, web):
    ids = web["ids"]
    with app.app_context():
        db.session.add(Block(blocker_id=ids["anna"], blocked_id=ids["tina"]))
        db.session.commit()
    assert found(app, ids["anna"], "Steuerberatung") == []


@pytest.mark.parametrize("who", ["ben", "cara", "zoe", "anna"])
def test_nobody_on_a_path_has_switched_it_off(app, web, who):
    ids = web["ids"]
    assert found(app, ids["anna"], "Zollrecht")
    set_user(app, ids[who], allow_introductions=False)
    assert found(app, ids["anna"], "Zollrecht") == []


def test_stronger_links_rank_first(app, web, make_user):
    ids = web["ids"]
    paul, _email = make_user("paul@example.com", name="Paul Prüfer")
    set_user(app, paul, industry="Steuerberatung", profile_visibility="signed_in")
    # Anna–Ben (2 meetings) – Paul (3): the weakest link has 2; Ben–Tina has 1.
    link(app, ids["ben"], paul, web["events"])
    link(app, ids["dana"], paul, web["events"][:1])  # Anna–Dana met once
    assert found(app, ids["anna"], "Steuerberatung") == [
        ("Ben Bauer", "Paul Prüfer"), ("Ben Bauer", "Tina Steuer"), ("Dana Dorn", "Paul Prüfer")]
    link(app, ids["anna"], ids["cara"], web["events"][:1])  # now two hops to Zoe as well
    assert found(app, ids["anna"], "Zollrecht") == [("Cara Conrad", "Zoe Zoll"),
                                                    ("Ben Bauer", "Cara Conrad", "Zoe Zoll")]


def statements_of_search(app, count_queries, user_id: int, term: str) -> tuple[int, int]:
    """(paths found, statements the search ran), with ``me`` loaded beforehand."""
    with app.app_context():
        me = db.session.get(User, user_id)
        with count_queries() as statements:
            result = paths.find(me, term)
        return len(result), len(statements)


def test_the_search_costs_the_same_statements_however_big_the_web(app, web, make_user,
                                                                   count_queries):
    ids = web["ids"]
    with app.app_context():  # PostgreSQL: SET LOCAL jit = off first (see paths._without_jit)
        jit = int(db.engine.dialect.name == "postgresql")
    assert statements_of_search(app, count_queries, ids["anna"], "Steuerberatung") == (1, 2 + jit)
    for number in range(12):
        person, _email = make_user(f"extra{number}@example.com", name=f"Extra {number}")
        set_user(app, person, industry="Steuerberatung", profile_visibility="signed_in")
        link(app, ids["ben" if number % 2 else "cara"], person, web["events"][:1])
    assert statements_of_search(app, count_queries, ids["anna"], "Steuerberatung") == (13, 2 + jit)
    assert statements_of_search(app, count_queries, ids["anna"], "Nichts dergleichen") == (
        0, 1 + jit)


def ask(client, web, target: str, note: str = "Ich suche Hilfe beim Jahresabschluss.",
        via: str = "ben", second: str | None = None):
    ids = web["ids"]
    data = {"via": ids[via], "target": ids[target], "note": note, "q": "Steuerberatung"}
    if second:
        data["second"] = ids[second]
    return post(client, "/contacts/introductions/ask", data,
                page="/contacts/introductions/?q=Steuerberatung")


def mails(app, mailbox, to: str) -> list:
    with app.app_context():
        send_pending()
    return [m for m in mailbox.messages if m["To"] and to in m["To"]]


def test_a_forwarded_introduction_mails_both_sides_once(app, web, mailbox):
    anna, ben, tina = (client_for(app, name) for name in ("anna", "ben", "tina"))
    assert "Tina Steuer" in text(anna, "/contacts/introductions/?q=Steuerberatung")
    redirects_to(ask(anna, web, "tina"), "/contacts/introductions/")
    [asked] = mails(app, mailbox, "ben@example.com")
    assert asked["Subject"] == "Anna Schneider bittet Sie um eine Vorstellung"
    assert "Jahresabschluss" in text_of(asked)
    assert "Jahresabschluss" in text(ben, "/contacts/introductions/")
    request_id = _only_request(app)
    page = "/contacts/introductions/"
    redirects_to(post(ben, f"/contacts/introductions/{request_id}/forward", page=page), page)
    post(ben, f"/contacts/introductions/{request_id}/forward", page=page)  # a second click
    [to_tina] = mails(app, mailbox, "tina@example.com")
    [to_anna] = mails(app, mailbox, "anna@example.com")
    assert "Ben Bauer" in text_of(to_tina) and "anna@example.com" not in text_of(to_tina)
    assert "Tina Steuer" in text_of(to_anna)
    assert "tina@example.com" not in text_of(to_anna)
    redirects_to(post(tina, f"/contacts/introductions/{request_id}/accept", page=page), page)
    assert "tina@example.com" in text_of(mails(app, mailbox, "anna@example.com")[-1])
    assert "anna@example.com" in text_of(mails(app, mailbox, "tina@example.com")[-1])
    assert len(mailbox.messages) == 5
    assert "tina@example.com" in text(anna, page)


def _only_request(app) -> int:
    with app.app_context():
        return db.session.scalar(select(IntroductionRequest.id))


def test_a_declined_request_looks_open_to_the_asker_until_it_expires(app, web, mailbox):
    anna, ben = client_for(app, "anna"), client_for(app, "ben")
    ask(anna, web, "tina")
    request_id = _only_request(app)
    page = "/contacts/introductions/"
    redirects_to(post(ben, f"/contacts/introductions/{request_id}/decline", page=page), page)
    assert "wartet auf Ben Bauer" in text(anna, page)
    assert "Jahresabschluss" not in text(ben, page)
    with app.app_context():
        request = db.session.get(IntroductionRequest, request_id)
        request.created_at -= EXPIRES_AFTER
        db.session.commit()
    assert re.search(r"Tina Steuer über Ben Bauer ·\s*abgelaufen", text(anna, page))
    assert [m["To"] for m in mails(app, mailbox, "")] == ["ben@example.com"]


def test_only_the_middle_person_may_forward_and_only_the_target_accept(app, web):
    anna, tina = client_for(app, "anna"), client_for(app, "tina")
    ask(anna, web, "tina")
    request_id = _only_request(app)
    page = "/contacts/introductions/"
    for client in (anna, tina):
        assert post(client, f"/contacts/introductions/{request_id}/forward",
                    page=page).status_code == 404
    assert post(anna, f"/contacts/introductions/{request_id}/accept",
                page=page).status_code == 404


def test_no_request_along_a_path_the_asker_may_not_see(app, web):
    anna = client_for(app, "anna")
    for target in ("hugo", "olaf", "bert"):
        response = ask(anna, web, target)
        assert response.status_code == 404
        assert "Diese Vorstellung ist nicht möglich." in response.get_data(as_text=True)
    assert ask(anna, web, "zoe", second="cara").status_code == 302
    assert ask(anna, web, "zoe", second="cara").status_code == 409
    assert ask(anna, web, "tina", via="dana").status_code == 404
    assert post(anna, "/contacts/introductions/ask", {"via": "x", "target": "-1"},
                page="/contacts/introductions/").status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(IntroductionRequest)) == 1
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_the_switch_on_the_contacts_page(app, web):
    anna = client_for(app, "anna")
    through_anna = [("Anna Schneider", "Ben Bauer", "Tina Steuer")]
    assert found(app, web["ids"]["dana"], "Steuerberatung") == through_anna
    assert "Vorstellungen über mich ausschalten" in text(anna, "/contacts/")
    redirects_to(post(anna, "/contacts/introductions/setting"), "/contacts/introductions/")
    assert "Vorstellungen über mich erlauben" in text(anna, "/contacts/")
    assert "Tina Steuer" not in text(anna, "/contacts/introductions/?q=Steuerberatung")
    assert found(app, web["ids"]["dana"], "Steuerberatung") == []  # not through Anna
    redirects_to(post(anna, "/contacts/introductions/setting", {"allow": "y"}),
                 "/contacts/introductions/")
    assert "Tina Steuer" in text(anna, "/contacts/introductions/?q=Steuerberatung")


def test_an_overlong_search_gets_its_message(app, web):
    anna = client_for(app, "anna")
    response = anna.get("/contacts/introductions/?q=" + "x" * 101)
    assert response.status_code == 422
    assert "höchstens 100 Zeichen" in response.get_data(as_text=True)


def test_in_english_for_people_who_chose_it(app, make_user, make_group, add_member, make_event,
                                            mailbox):
    web = build(app, make_user, make_group, add_member, make_event, locale="en")
    anna = client_for(app, "anna")
    page = text(anna, "/contacts/introductions/?q=Steuerberatung")
    assert "Ask Ben Bauer for an introduction" in page and "You → Ben Bauer → Tina Steuer" in page
    redirects_to(ask(anna, web, "tina"), "/contacts/introductions/")
    [asked] = mails(app, mailbox, "ben@example.com")
    assert asked["Subject"] == "Anna Schneider asks you for an introduction"
    assert "Jahresabschluss" in text_of(asked) and "If you think the two" in \
        text_of(asked)


def test_the_demo_login_has_paths_of_two_and_three_hops(demo_app):
    with demo_app.app_context():
        anna = db.session.scalar(select(User).filter_by(email="anna.schneider@example.com"))
        tax = paths.find(anna, "Steuerberatung")
        customs = paths.find(anna, "Zollrecht")
        assert tax and tax[0].hops == 2 and tax[0].target.industry == "tax"
        assert customs and customs[0].hops == 3
    assert demo_app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    with demo_app.app_context():
        anna = db.session.scalar(select(User).filter_by(email="anna.schneider@example.com"))
        assert len(paths.find(anna, "Zollrecht")) == len(customs)


def test_no_addresses_after_a_block_between_asker_and_target(app, web, mailbox):
    anna, ben, tina = (client_for(app, name) for name in ("anna", "ben", "tina"))
    ask(anna, web, "tina")
    request_id, page = _only_request(app), "/contacts/introductions/"
    redirects_to(post(ben, f"/contacts/introductions/{request_id}/forward", page=page), page)
    with app.app_context():
        db.session.add(Block(blocker_id=web["ids"]["anna"], blocked_id=web["ids"]["tina"]))
        db.session.commit()
    assert post(tina, f"/contacts/introductions/{request_id}/accept", page=page).status_code == 409
    assert not any("tina@example.com" in text_of(m) for m in mails(app, mailbox, "anna"))


def test_the_target_s_industry_reads_as_its_name_not_its_code(app, web):
    page = text(client_for(app, "anna"), "/contacts/introductions/?q=Steuerberatung")
    assert "Tina Steuer" in page
    assert "· Steuerberatung und Buchhaltung" in page
    assert "· tax" not in page
