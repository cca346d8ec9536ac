"""Treffpunkt: events and contacts for clubs that meet in real life."""

from flask import Flask

from meetup import (
    cli,
    database,
    errors,
    events,
    extensions,
    groups,
    guards,
    i18n,
    logs,
    security,
    series,
    serving,
    urls,
)
from meetup.account import views as account_views
from meetup.audit import views as audit_views
from meetup.auth import views as auth_views
from meetup.calendar import views as calendar_views
from meetup.config import ROOT, load_config
from meetup.contacts import views as contact_views
from meetup.events import kept
from meetup.events import manage_views as event_manage_views
from meetup.events import views as event_views
from meetup.groups import manage_views as group_manage_views
from meetup.groups import views as group_views
from meetup.health import views as health_views
from meetup.introductions import views as introduction_views
from meetup.legal import views as legal_views
from meetup.main import views as main_views
from meetup.notify import manage_views as notify_manage_views
from meetup.notify import views as notify_views
from meetup.people import views as people_views
from meetup.preferences import views as preference_views
from meetup.privacy import views as privacy_views
from meetup.series import manage_views as series_manage_views
from meetup.series import views as series_views

# Every view module, imported for its routes on the blueprints of its feature.
VIEW_MODULES = (main_views, auth_views, account_views, group_views, group_manage_views,
                event_views, event_manage_views, series_views, series_manage_views,
                calendar_views, people_views, legal_views, notify_views, notify_manage_views,
                preference_views, contact_views, health_views, privacy_views, audit_views,
                introduction_views)


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
    database.init_app(app)
    extensions.migrate.init_app(
        app, extensions.db, directory=str(ROOT / "migrations"), render_as_batch=True
    )
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    kept.init_app(app)  # before serving: inside ProxyFix
    serving.init_app(app)
    guards.init_app(app)
    urls.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    for blueprint in (main_views.bp, auth_views.bp, account_views.bp, groups.bp,
                      groups.invitations_bp, events.bp, series.bp, calendar_views.bp,
                      people_views.bp, legal_views.bp, notify_views.bp, preference_views.bp,
                      contact_views.bp, health_views.bp, privacy_views.bp, audit_views.bp,
                      introduction_views.bp):
        app.register_blueprint(blueprint)
    logs.init_app(app)  # outermost: every answer, a feed's kept 304 too, gets its id
    database.retry_views(app)
    return app
