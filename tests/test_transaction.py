"""One transaction boundary: all or nothing, work after the commit, refusals as 4xx."""


import pytest
from flask import Blueprint
from sqlalchemy import func, select

from meetup.database import after_commit, transaction
from meetup.errors import RuleError
from meetup.extensions import db
from meetup.models import Group
from tests.helpers import another_writer_can_start, disposing, make_app


def group_count() -> int:
    return db.session.scalar(select(func.count(Group.id)))


def add_group(slug: str) -> None:
    db.session.add(Group(slug=slug, name=slug.title(), city="Münster"))
    db.session.flush()


def test_a_change_is_committed_whole_and_its_work_runs_after(app):
    done = []
    with app.app_context():
        with transaction():
            add_group("eins")
            add_group("zwei")
            after_commit(done.append, "mail")
            assert done == []  # not before the commit
        assert done == ["mail"]
        db.session.rollback()  # a new transaction sees what was committed
        assert group_count() == 2


@pytest.mark.parametrize("failure", [RuleError("Nein."), ValueError("kaputt")])
def test_any_error_rolls_back_everything_and_drops_the_queued_work(app, failure):
    done = []
    with app.app_context():
        with pytest.raises(type(failure)), transaction():
            add_group("eins")
            after_commit(done.append, "mail")
            raise failure
        assert group_count() == 0
        assert done == []
        with transaction():  # the next change starts clean
            add_group("zwei")
        assert done == []
        assert group_count() == 1


def test_a_transaction_inside_another_is_part_of_it(app):
    with app.app_context():
        with pytest.raises(RuleError), transaction():
            with transaction():
                add_group("innen")
            assert group_count() == 1  # not committed on its own
            raise RuleError("Nein.")
        assert group_count() == 0


def test_work_after_commit_needs_a_transaction(app):
    with app.app_context(), pytest.raises(RuntimeError):
        after_commit(print, "nowhere")


@pytest.mark.parametrize("database_uri", ["sqlite"], indirect=True)
def test_a_writing_transaction_holds_sqlites_lock_from_its_start(app, database_uri):
    path = database_uri.removeprefix("sqlite:///")

    with app.app_context():
        group_count()  # reading takes no lock
        assert another_writer_can_start(path)
        with transaction():
            assert not another_writer_can_start(path)  # before its first write
        assert another_writer_can_start(path)


def test_a_refusal_no_view_catches_is_a_page_with_its_status(make_app_with):
    bp = Blueprint("refusing", __name__)

    @bp.post("/refuse")
    def refuse():
        with transaction():
            add_group("nie")
            raise RuleError("Das geht so nicht.", 422)

    app = make_app_with(bp)
    client = app.test_client()
    response = client.post("/refuse")
    assert response.status_code == 422
    assert "Das geht so nicht." in response.get_data(as_text=True)
    with app.app_context():
        assert group_count() == 0


@pytest.fixture
def make_app_with(database_uri, smtp):
    """An app with one more blueprint (for a route only a test needs)."""
    apps = []

    def make(blueprint):
        app = make_app(database_uri, smtp[0].port, WTF_CSRF_ENABLED=False)
        app.register_blueprint(blueprint)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with disposing(app):
            pass
