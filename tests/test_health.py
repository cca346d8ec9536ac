"""/healthz says the process answers; /readyz that it can serve: database reachable
and its schema at the migrations' head. Neither touches the session."""

from meetup.extensions import db
from tests.helpers import disposing, make_app
from tests.pg import free_port


def test_healthz_answers_without_a_database_session_or_cookie(smtp, tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/missing/nothing.db", smtp[0].port)
    with disposing(app):
        response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_readyz_is_ready_on_a_migrated_database(client, count_queries):
    with count_queries() as statements:
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert [s for s in statements if s != "BEGIN"] == ["SELECT version_num FROM alembic_version"]


def test_readyz_is_not_ready_when_a_migration_is_missing(app, client):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["db", "downgrade", "--", "-1"])
        assert result.exit_code == 0, result.output
        db.engine.dispose()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["reason"] == "migrations"
    assert body["database"] != body["head"] and len(body["head"]) == 1
    assert client.get("/healthz").status_code == 200


def test_readyz_is_not_ready_when_the_database_does_not_answer(smtp):
    uri = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing?connect_timeout=2"
    app = make_app(uri, smtp[0].port)
    with disposing(app):
        response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["reason"] == "database"
