"""``/healthz``: the process answers. ``/readyz``: it can serve, i.e. the database
answers and its schema is at the migrations' head. Both run without a session
(no user, no cookie) and answer JSON; a load balancer polls them."""

from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from meetup.extensions import db
from meetup.security import stateless

bp = Blueprint("health", __name__)


@bp.after_request
def never_stored(response):
    """An answer about this moment: no cache may keep it."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@stateless
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
@stateless
def readyz():
    try:
        current = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    except SQLAlchemyError as exc:
        db.session.rollback()
        return unavailable("database", type(exc).__name__)
    heads = migration_heads()
    if current != heads:
        return unavailable("migrations", "the database is not at the migrations' head",
                           database=sorted(current), head=sorted(heads))
    return jsonify(status="ok")


def unavailable(reason: str, detail: str, **more):
    return jsonify(status="unavailable", reason=reason, detail=detail, **more), 503


def migration_heads() -> set[str]:
    """The head revisions of migrations/ (read once per process: they change only
    with a deploy, which restarts the processes)."""
    heads = current_app.extensions.get("migration_heads")
    if heads is None:
        config = current_app.extensions["migrate"].migrate.get_config()
        heads = set(ScriptDirectory.from_config(config).get_heads())
        current_app.extensions["migration_heads"] = heads
    return heads
