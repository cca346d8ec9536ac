"""Error pages are friendly, translated, and never a bare 500."""

import pytest
from flask import abort

from meetup.extensions import db
from meetup.models import User


@pytest.fixture
def failing_app(app):
    @app.get("/_boom")
    def boom():
        db.session.add(User(email="half@example.com", name="Half", password_hash="x"))
        db.session.flush()
        raise RuntimeError("boom")

    @app.get("/_forbidden")
    def forbidden():
        abort(403)

    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_404_is_translated(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.get_data(as_text=True)
    response = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert "Page not found" in response.get_data(as_text=True)


def test_403_page(failing_app):
    response = failing_app.test_client().get("/_forbidden")
    assert response.status_code == 403
    assert "Zugriff verweigert" in response.get_data(as_text=True)


def test_500_page_rolls_back(failing_app):
    response = failing_app.test_client().get("/_boom")
    assert response.status_code == 500
    assert "Etwas ist schiefgelaufen" in response.get_data(as_text=True)
    with failing_app.app_context():
        assert db.session.scalar(db.select(User).filter_by(email="half@example.com")) is None


def test_405_has_a_page(client):
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "Anfrage nicht möglich" in response.get_data(as_text=True)


def test_production_without_secret_key_refuses_to_start(monkeypatch):
    from meetup import create_app

    monkeypatch.delenv("MEETUP_SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.setattr("flask.Config.from_pyfile", lambda self, *a, **k: False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_without_site_url_refuses_to_start(monkeypatch):
    from meetup import create_app

    monkeypatch.delenv("MEETUP_SITE_URL", raising=False)
    monkeypatch.setattr("flask.Config.from_pyfile", lambda self, *a, **k: False)
    with pytest.raises(RuntimeError, match="SITE_URL is not set"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 32})


def test_environment_overrides_instance_config(monkeypatch):
    from meetup import create_app

    monkeypatch.setenv("MEETUP_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("MEETUP_SITE_URL", "https://treffpunkt.example.org")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.internal/meetup")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.internal/meetup"
