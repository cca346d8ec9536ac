"""Treffpunkt: events and contacts for clubs that meet in real life."""

from flask import Flask

from meetup import cli, database, errors, extensions, guards, i18n, security, urls
from meetup.account import views as account_views
from meetup.auth import views as auth_views
from meetup.calendar import views as calendar_views
from meetup.config import ROOT, load_config
from meetup.events import manage as event_manage
from meetup.groups import invite_views, manage
from meetup.main import views as main_views
from meetup.notify import views as notify_views
from meetup.people import views as people_views


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    load_config(app, test_config)
    guards.register_converters(app)
    extensions.db.init_app(app)
    extensions.migrate.init_app(
        app, extensions.db, directory=str(ROOT / "migrations"), render_as_batch=True
    )
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    guards.init_app(app)
    urls.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    app.register_blueprint(main_views.bp)
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(account_views.bp)
    app.register_blueprint(manage.bp)  # the groups blueprint, with its organiser views
    app.register_blueprint(invite_views.bp)
    app.register_blueprint(event_manage.bp)  # the events blueprint, with its organiser views
    app.register_blueprint(calendar_views.bp)
    app.register_blueprint(people_views.bp)
    app.register_blueprint(notify_views.bp)  # the development mailbox
    database.init_app(app)
    return app
