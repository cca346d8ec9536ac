"""Groups: create, slugs, join, apply, decide, leave, roles, titles, directory."""

import threading

import pytest
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.groups import services
from meetup.models import Application, ApplicationStatus, Ban, Group, Membership, Role
from tests.helpers import log_in, redirects_to, submit

# Mails go through the outbox: the mailbox delivers it before it is read.
pytestmark = pytest.mark.deliver_outbox


def memberships(app, slug):
    with app.app_context():
        return {(m.user_id, str(m.role), m.title) for m in db.session.scalars(
            select(Membership).join(Membership.group).where(Group.slug == slug))}


@pytest.mark.parametrize(("name", "slug"), [
    ("Unternehmerclub Münster", "unternehmerclub-muenster"),
    ("Straßenfest & Co. KG", "strassenfest-co-kg"),
    ("  Äpfel, Öl und Übermut!  ", "aepfel-oel-und-uebermut"),
    ("Café Crème", "cafe-creme"),
])
def test_slugs_fold_umlauts(name, slug):
    assert services.slugify(name) == slug


def test_create_group_makes_the_creator_owner(app, client, make_user):
    user_id, _ = make_user()
    log_in(client, "mara@example.com")
    response = submit(client, "/groups/new", {
        "name": "Unternehmerclub Münster", "city": "Münster", "short_description": "Kurz",
        "description": "**Fett** <script>alert(1)</script>", "website": "https://example.org",
        "visibility": "public", "join_policy": "approval", "timezone": "Europe/Berlin"})
    redirects_to(response, "/groups/unternehmerclub-muenster")
    assert memberships(app, "unternehmerclub-muenster") == {(user_id, "owner", "")}
    html = client.get("/groups/unternehmerclub-muenster").get_data(as_text=True)
    assert "<strong>Fett</strong>" in html
    assert "<script>alert(1)</script>" not in html


def test_duplicate_name_gets_a_slug_suggestion(app, client, make_user, make_group):
    user_id, _ = make_user()
    make_group(user_id, "Unternehmerclub Münster")
    log_in(client, "mara@example.com")
    form = {"name": "Unternehmerclub Münster", "city": "Münster", "visibility": "public",
            "join_policy": "open", "timezone": "Europe/Berlin"}
    response = submit(client, "/groups/new", form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Wie wäre es mit „unternehmerclub-muenster-2“" in html.replace("“", "“") or \
        "unternehmerclub-muenster-2" in html
    assert 'value="unternehmerclub-muenster-2"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Group.id))) == 1
    # Taking the suggestion works.
    response = submit(client, "/groups/new", {**form, "slug": "unternehmerclub-muenster-2"})
    redirects_to(response, "/groups/unternehmerclub-muenster-2")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "Namen der Gruppe"),
    ("website", "not a url", "vollständige Adresse"),
    # Passes a plain URL check, and runs as script when clicked.
    ("website", "javascript://example.org/%0aalert(1)", "vollständige Adresse"),
    ("timezone", "Mars/Base", "Zeitzone"),
    ("timezone", "localtime", "Zeitzone"),
    ("timezone", "Factory", "Zeitzone"),
    ("timezone", "Etc/GMT+5", "Zeitzone"),
    ("slug", "Großes Ding", "Kleinbuchstaben"),
    ("visibility", "secret", "Bitte wählen Sie eine der Möglichkeiten."),
])
def test_group_form_bad_input(app, client, make_user, field, value, message):
    make_user()
    log_in(client, "mara@example.com")
    form = {"name": "Club", "visibility": "public", "join_policy": "open",
            "timezone": "Europe/Berlin", field: value}
    response = submit(client, "/groups/new", form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Group.id))) == 0


def test_join_an_open_group_twice_gives_one_membership(app, client, make_user, make_group):
    owner_id, _ = make_user("owner@example.com")
    user_id, _ = make_user()
    slug = make_group(owner_id)
    log_in(client, "mara@example.com")
    for _ in range(2):
        redirects_to(submit(client, f"/groups/{slug}/join", {}, page=f"/groups/{slug}"),
                     f"/groups/{slug}")
    assert (user_id, "member", "") in memberships(app, slug)
    assert len(memberships(app, slug)) == 2


def test_concurrent_joins_yield_one_membership(app, make_user, make_group):
    owner_id, _ = make_user("owner@example.com")
    user_id, _ = make_user()
    slug = make_group(owner_id)
    barrier = threading.Barrier(4)
    errors = []

    def join():
        try:
            with app.app_context():
                # Start together; SQLite then queues the writers on its lock,
                # PostgreSQL lets them race to the unique constraint.
                barrier.wait(timeout=10)
                group = db.session.scalar(select(Group).filter_by(slug=slug))
                user = db.session.get(services.User, user_id)
                services.add_member(group, user)
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=join) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len([m for m in memberships(app, slug) if m[0] == user_id]) == 1


def test_apply_and_approve(app, client, make_user, make_group, mailbox):
    owner_id, _ = make_user("owner@example.com")
    make_user()
    slug = make_group(owner_id, join_policy="approval")
    log_in(client, "mara@example.com")
    # Joining directly is not possible in an approval group.
    assert submit(client, f"/groups/{slug}/join", {}, page=f"/groups/{slug}").status_code == 403
    response = submit(client, f"/groups/{slug}/apply", {"message": "Ich bin Steuerberaterin."})
    redirects_to(response, f"/groups/{slug}")
    html = client.get(f"/groups/{slug}").get_data(as_text=True)
    assert "Bewerbung gesendet" in html
    assert "Warten auf Entscheidung" in client.get("/groups/mine").get_data(as_text=True)

    organiser = app.test_client()
    log_in(organiser, "owner@example.com")
    page = organiser.get(f"/groups/{slug}/manage/applications").get_data(as_text=True)
    assert "Ich bin Steuerberaterin." in page
    with app.app_context():
        application_id = db.session.scalar(select(Application.id))
    response = submit(organiser, f"/groups/{slug}/manage/applications/{application_id}/approve",
                      {}, page=f"/groups/{slug}/manage/applications")
    redirects_to(response, f"/groups/{slug}/manage/applications")
    assert len(memberships(app, slug)) == 2
    assert "Willkommen" in mailbox.wait_for("mara@example.com")[-1]["Subject"]
    assert "Sie sind Mitglied" in client.get(f"/groups/{slug}").get_data(as_text=True)


def test_two_organisers_approving_at_once_make_one_membership(app, make_user, make_group,
                                                             add_member):
    owner_id, _ = make_user("owner@example.com")
    second_id, _ = make_user("second@example.com")
    applicant_id, _ = make_user()
    slug = make_group(owner_id, join_policy="approval")
    add_member(slug, second_id, "organiser")
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        application = services.apply(group, db.session.get(services.User, applicant_id), "Hi")
        db.session.commit()
        application_id = application.id
    barrier = threading.Barrier(2)
    results, errors = [], []

    def approve(organiser_id):
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                application = db.session.get(Application, application_id)
                organiser = db.session.get(services.User, organiser_id)
                results.append(services.decide(application, organiser, approve=True))
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=approve, args=(uid,)) for uid in (owner_id, second_id)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [False, True]
    assert len([m for m in memberships(app, slug) if m[0] == applicant_id]) == 1


def test_decline_and_reapply(app, client, make_user, make_group):
    owner_id, _ = make_user("owner@example.com")
    make_user()
    slug = make_group(owner_id, join_policy="approval")
    log_in(client, "mara@example.com")
    submit(client, f"/groups/{slug}/apply", {"message": "Bitte"})
    with app.app_context():
        application = db.session.scalar(select(Application))
        services.decide(application, db.session.get(services.User, owner_id), approve=False)
        db.session.commit()
    html = client.get(f"/groups/{slug}").get_data(as_text=True)
    assert "letzte Bewerbung wurde abgelehnt" in html
    submit(client, f"/groups/{slug}/apply", {"message": "Noch einmal"})
    with app.app_context():
        application = db.session.scalar(select(Application))
        assert application.status == ApplicationStatus.PENDING
        assert db.session.scalar(select(func.count(Application.id))) == 1


def test_empty_application_message_is_refused(app, client, make_user, make_group):
    owner_id, _ = make_user("owner@example.com")
    make_user()
    slug = make_group(owner_id, join_policy="approval")
    log_in(client, "mara@example.com")
    response = submit(client, f"/groups/{slug}/apply", {"message": "  "})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(Application.id))) == 0


def test_last_owner_cannot_leave_but_can_after_transfer(app, client, make_user, make_group,
                                                       add_member):
    owner_id, _ = make_user()
    other_id, _ = make_user("other@example.com")
    slug = make_group(owner_id)
    other = add_member(slug, other_id)
    log_in(client, "mara@example.com")
    submit(client, f"/groups/{slug}/leave", {}, page=f"/groups/{slug}")
    assert (owner_id, "owner", "") in memberships(app, slug)

    submit(client, f"/groups/{slug}/manage/members/{other}/transfer", {},
           page=f"/groups/{slug}/manage/members")
    assert memberships(app, slug) == {(owner_id, "organiser", ""), (other_id, "owner", "")}
    submit(client, f"/groups/{slug}/leave", {}, page=f"/groups/{slug}")
    assert memberships(app, slug) == {(other_id, "owner", "")}


def test_organiser_sets_a_title_shown_in_the_directory(app, client, make_user, make_group,
                                                       add_member):
    owner_id, _ = make_user()
    member_id, _ = make_user("kasse@example.com", name="Karl Kasse")
    slug = make_group(owner_id)
    membership = add_member(slug, member_id)
    log_in(client, "mara@example.com")
    submit(client, f"/groups/{slug}/manage/members/{membership}/title", {"title": "Kassierer"},
           page=f"/groups/{slug}/manage/members")
    assert (member_id, "member", "Kassierer") in memberships(app, slug)
    html = client.get(f"/groups/{slug}/members").get_data(as_text=True)
    assert "Karl Kasse" in html and "Kassierer" in html
    # Titled members appear on the group page beside the organisers.
    assert "Kassierer" in client.get(f"/groups/{slug}").get_data(as_text=True)


def test_organisers_cannot_remove_other_organisers(app, client, make_user, make_group,
                                                  add_member):
    owner_id, _ = make_user("owner@example.com")
    organiser_id, _ = make_user()
    other_id, _ = make_user("other@example.com")
    slug = make_group(owner_id)
    add_member(slug, organiser_id, "organiser")
    other = add_member(slug, other_id, "organiser")
    log_in(client, "mara@example.com")
    submit(client, f"/groups/{slug}/manage/members/{other}/remove", {},
           page=f"/groups/{slug}/manage/members")
    assert (other_id, "organiser", "") in memberships(app, slug)
    # Nor change roles.
    submit(client, f"/groups/{slug}/manage/members/{other}/role", {"role": "member"},
           page=f"/groups/{slug}/manage/members")
    assert (other_id, "organiser", "") in memberships(app, slug)


def test_ban_keeps_a_person_out(app, client, make_user, make_group, add_member):
    owner_id, _ = make_user("owner@example.com")
    member_id, _ = make_user()
    slug = make_group(owner_id)
    membership = add_member(slug, member_id)
    organiser = app.test_client()
    log_in(organiser, "owner@example.com")
    submit(organiser, f"/groups/{slug}/manage/members/{membership}/ban", {},
           page=f"/groups/{slug}/manage/members")
    assert {m[0] for m in memberships(app, slug)} == {owner_id}
    log_in(client, "mara@example.com")
    assert submit(client, f"/groups/{slug}/join", {}, page=f"/groups/{slug}").status_code == 403
    assert "Mitgliedschaft nicht möglich" in client.get(f"/groups/{slug}").get_data(as_text=True)
    with app.app_context():
        ban_id = db.session.scalar(select(Ban.id))
    submit(organiser, f"/groups/{slug}/manage/bans/{ban_id}/lift", {},
           page=f"/groups/{slug}/manage/members")
    redirects_to(submit(client, f"/groups/{slug}/join", {}, page=f"/groups/{slug}"),
                 f"/groups/{slug}")


def test_owner_cannot_demote_the_last_owner(app, client, make_user, make_group):
    owner_id, _ = make_user()
    slug = make_group(owner_id)
    log_in(client, "mara@example.com")
    with app.app_context():
        own = db.session.scalar(select(Membership.id))
    response = submit(client, f"/groups/{slug}/manage/members/{own}/role", {"role": "member"},
                      page=f"/groups/{slug}/manage/members", follow_redirects=True)
    assert "mindestens eine Person in der Leitung" in response.get_data(as_text=True)
    assert memberships(app, slug) == {(owner_id, "owner", "")}
    response = submit(client, f"/groups/{slug}/manage/members/{own}/role", {"role": "king"},
                      page=f"/groups/{slug}/manage/members")
    redirects_to(response, f"/groups/{slug}/manage/members")
    assert memberships(app, slug) == {(owner_id, "owner", "")}


def test_directory_search_and_pagination(app, client, make_user, make_group, add_member):
    owner_id, _ = make_user()
    slug = make_group(owner_id)
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        for number in range(25):
            user = services.User(email=f"p{number}@example.com", name=f"Person {number:02d}",
                                 password_hash="x", company="Ärztekammer" if number == 7 else "",
                                 industry="tax" if number == 3 else "")
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(group_id=group.id, user_id=user.id, role=Role.MEMBER))
        db.session.commit()
    log_in(client, "mara@example.com")
    first = client.get(f"/groups/{slug}/members").get_data(as_text=True)
    assert "26 Mitglieder" in first and "Person 00" in first and "Person 24" not in first
    second = client.get(f"/groups/{slug}/members?page=2").get_data(as_text=True)
    assert "Person 24" in second
    found = client.get(f"/groups/{slug}/members?q=steuer").get_data(as_text=True)
    assert "Person 03" in found and "Person 04" not in found
    # Case folding beyond ASCII works the same on SQLite and PostgreSQL.
    found = client.get(f"/groups/{slug}/members?q=ärztekammer").get_data(as_text=True)
    assert "Person 07" in found


def test_browse_filters_by_city_and_text(app, client, make_user, make_group):
    owner_id, _ = make_user()
    make_group(owner_id, "Unternehmerclub Münster", city="Münster")
    make_group(owner_id, "Wirtschaftsclub Leipzig", city="Leipzig")
    make_group(owner_id, "Geheimer Kreis", city="Münster", visibility="private")
    html = client.get("/groups/").get_data(as_text=True)
    assert "Unternehmerclub Münster" in html and "Wirtschaftsclub Leipzig" in html
    assert "Geheimer Kreis" not in html
    html = client.get("/groups/?city=Leipzig").get_data(as_text=True)
    assert "Wirtschaftsclub Leipzig" in html and "Unternehmerclub Münster" not in html
    html = client.get("/groups/?q=unternehmer").get_data(as_text=True)
    assert "Unternehmerclub Münster" in html and "Wirtschaftsclub Leipzig" not in html
    assert "Geheimer" not in client.get("/groups/?q=geheim").get_data(as_text=True)


def test_group_pages_do_not_grow_queries_with_members(app, client, make_user, make_group,
                                                     add_member, count_queries):
    owner_id, _ = make_user()
    slug = make_group(owner_id)
    log_in(client, "mara@example.com")

    def grow(count, start):
        with app.app_context():
            group = db.session.scalar(select(Group).filter_by(slug=slug))
            for number in range(start, start + count):
                user = services.User(email=f"m{number}@example.com", name=f"M {number}",
                                     password_hash="x")
                db.session.add(user)
                db.session.flush()
                db.session.add(Membership(group_id=group.id, user_id=user.id,
                                          role=Role.ORGANISER, title="Beirat"))
            db.session.commit()

    urls = [f"/groups/{slug}", f"/groups/{slug}/members", f"/groups/{slug}/manage/members",
            "/groups/", "/groups/mine"]
    grow(2, 0)
    few = {}
    for url in urls:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        few[url] = len(statements)
    grow(15, 2)
    for url in urls:
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        assert len(statements) == few[url], url


# --- organiser actions say what they did; ownership and removal ask once ----------

def member_page(client, slug):
    return " ".join(client.get(f"/groups/{slug}/manage/members").get_data(as_text=True).split())


def test_handing_over_ownership_names_the_new_owner_and_asks_once(app, client, make_user,
                                                                 make_group, add_member):
    owner_id, _ = make_user("owner@example.com", name="Olaf Owner")
    slug = make_group(owner_id)
    anna_id, _ = make_user("anna@example.com", name="Anna Schneider")
    anna = add_member(slug, anna_id)
    log_in(client, "owner@example.com")
    html = member_page(client, slug)
    transfer = f'action="/groups/{slug}/manage/members/{anna}/transfer"'
    assert html.count(transfer) == 1
    confirm = next(part.split("</details>")[0]
                   for part in html.split('<details class="confirm">') if transfer in part)
    assert ("Anna Schneider übernimmt die Leitung des Clubs „Unternehmerclub Münster“; "
            "Sie bleiben im Organisationsteam.") in confirm
    assert "Ja, an Anna Schneider übergeben" in confirm
    response = submit(client, f"/groups/{slug}/manage/members/{anna}/transfer", {},
                      page=f"/groups/{slug}/manage/members", follow_redirects=True)
    assert ("Anna Schneider leitet jetzt den Club „Unternehmerclub Münster“; "
            "Sie bleiben im Organisationsteam.") in response.get_data(as_text=True)
    assert memberships(app, slug) == {(owner_id, "organiser", ""), (anna_id, "owner", "")}


@pytest.mark.parametrize(("action", "data", "message", "after"), [
    ("title", {"title": "Kassierer"}, "Karl Kasse hat jetzt die Funktion „Kassierer“.",
     {("member", "Kassierer")}),
    ("title", {"title": "  "}, "Karl Kasse hat keine Funktion mehr.", {("member", "")}),
    ("role", {"role": "organiser"}, "Karl Kasse hat jetzt die Rolle „Organisationsteam“.",
     {("organiser", "Beisitzer")}),
    ("remove", {}, "Karl Kasse wurde aus der Gruppe entfernt.", set()),
    ("ban", {}, "Karl Kasse wurde aus der Gruppe entfernt und gesperrt.", set()),
])
def test_each_member_action_says_what_it_did(app, client, make_user, make_group, add_member,
                                            action, data, message, after):
    owner_id, _ = make_user("owner@example.com", name="Olaf Owner")
    slug = make_group(owner_id)
    karl_id, _ = make_user("karl@example.com", name="Karl Kasse")
    karl = add_member(slug, karl_id, title="Beisitzer")
    log_in(client, "owner@example.com")
    response = submit(client, f"/groups/{slug}/manage/members/{karl}/{action}", data,
                      page=f"/groups/{slug}/manage/members", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert message in html and "Gespeichert." not in html
    assert {(role, title) for user_id, role, title in memberships(app, slug)
            if user_id == karl_id} == after


def test_removing_a_member_asks_once(app, client, make_user, make_group, add_member):
    owner_id, _ = make_user("owner@example.com")
    slug = make_group(owner_id)
    karl_id, _ = make_user("karl@example.com", name="Karl Kasse")
    karl = add_member(slug, karl_id)
    log_in(client, "owner@example.com")
    html = member_page(client, slug)
    for action in ("remove", "ban"):
        target = f'action="/groups/{slug}/manage/members/{karl}/{action}"'
        assert html.count(target) == 1
        confirm = next(part for part in html.split('<details class="confirm">')
                       if target in part.split("</details>")[0])
        assert "Karl Kasse aus der Gruppe entfernen?" in confirm


# --- applicants withdraw --------------------------------------------------------

def applied(app, slug, user_id):
    with app.app_context():
        group = db.session.scalar(select(Group).filter_by(slug=slug))
        services.apply(group, db.session.get(services.User, user_id), "Bitte aufnehmen.")
        db.session.commit()


def applications_of(app, user_id):
    with app.app_context():
        return list(db.session.scalars(select(Application.status).filter_by(user_id=user_id)))


def test_an_applicant_withdraws_from_the_club_page(app, client, make_user, make_group):
    owner_id, _ = make_user("owner@example.com")
    slug = make_group(owner_id, join_policy="approval")
    user_id, _ = make_user("stefan@example.com", name="Stefan Hoffmann")
    log_in(client, "stefan@example.com")
    submit(client, f"/groups/{slug}/apply", {"message": "Ich möchte gern dabei sein."})
    html = client.get(f"/groups/{slug}").get_data(as_text=True)
    withdraw = f'action="/groups/{slug}/application/withdraw"'
    confirm = html.split('<details class="confirm">')[1].split("</details>")[0]
    assert withdraw in confirm
    assert "Bewerbung beim Club „Unternehmerclub Münster“ zurückziehen?" in confirm
    response = submit(client, f"/groups/{slug}/application/withdraw",
                      {"next": f"/groups/{slug}"}, page=f"/groups/{slug}")
    redirects_to(response, f"/groups/{slug}")
    html = client.get(f"/groups/{slug}").get_data(as_text=True)
    assert "Ihre Bewerbung beim Club „Unternehmerclub Münster“ ist zurückgezogen." in html
    assert "Mitgliedschaft beantragen" in html and withdraw not in html
    assert applications_of(app, user_id) == []
    # Nothing left to withdraw: refused, nothing changes.
    response = submit(client, f"/groups/{slug}/application/withdraw", {},
                      page=f"/groups/{slug}")
    assert response.status_code == 403


def test_an_applicant_to_a_private_club_withdraws_from_my_clubs(app, client, make_user,
                                                               make_group):
    owner_id, _ = make_user("owner@example.com")
    slug = make_group(owner_id, "Gründerkreis Freiburg", visibility="private",
                      join_policy="approval")
    user_id, _ = make_user("stefan@example.com")
    applied(app, slug, user_id)
    log_in(client, "stefan@example.com")
    assert client.get(f"/groups/{slug}").status_code == 404  # still private to them
    html = client.get("/groups/mine").get_data(as_text=True)
    assert f'action="/groups/{slug}/application/withdraw"' in html
    response = submit(client, f"/groups/{slug}/application/withdraw",
                      {"next": "/groups/mine"}, page="/groups/mine", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Ihre Bewerbung beim Club „Gründerkreis Freiburg“ ist zurückgezogen." in html
    assert f'action="/groups/{slug}/application/withdraw"' not in html
    assert applications_of(app, user_id) == []


def test_outsiders_cannot_withdraw_what_is_not_theirs(app, client, make_user, make_group):
    owner_id, _ = make_user("owner@example.com")
    public = make_group(owner_id, join_policy="approval")
    private = make_group(owner_id, "Geheimer Kreis", visibility="private",
                         join_policy="approval")
    other_id, _ = make_user("other@example.com")
    applied(app, public, other_id)
    make_user("stefan@example.com")
    log_in(client, "stefan@example.com")
    assert submit(client, f"/groups/{public}/application/withdraw", {},
                  page="/groups/mine").status_code == 403
    assert submit(client, f"/groups/{private}/application/withdraw", {},
                  page="/groups/mine").status_code == 404
    assert applications_of(app, other_id) == [ApplicationStatus.PENDING]
