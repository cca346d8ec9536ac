"""What one RSVP POST touches: the app's files it runs code in, and its SQL statements.

    .venv/bin/python bench/rsvp_path.py                  # SQLite in a temporary folder
    DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/rsvp_path.py

Seeds a club with one event and a member, signs in, then traces exactly one
``POST /events/<id>/rsvp`` (the yes of a member with a free seat).
"""

import os
import re
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from meetup import create_app  # noqa: E402
from meetup.extensions import db  # noqa: E402
from meetup.models import Event, EventStatus, Group, Membership, Role, User, utcnow  # noqa: E402

PASSWORD = "correct horse battery"


def seed() -> int:
    group = Group(slug="path-club", name="Path Club", city="Münster")
    user = User(email="anna@example.org", name="Anna Schneider", email_verified_at=utcnow(),
                password_hash=generate_password_hash(PASSWORD, method="scrypt"))
    db.session.add_all([group, user])
    db.session.flush()
    db.session.add(Membership(group_id=group.id, user_id=user.id, role=Role.MEMBER))
    start = utcnow() + timedelta(days=7)
    event = Event(group_id=group.id, title="Stammtisch", starts_at=start,
                  ends_at=start + timedelta(hours=2), timezone="Europe/Berlin",
                  status=EventStatus.PUBLISHED, capacity=20)
    db.session.add(event)
    db.session.commit()
    return event.id


def csrf(page: bytes) -> str:
    return re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()


def make_app():
    """The app on DATABASE_URL, or on SQLite in a temporary folder; migrated."""
    folder = tempfile.mkdtemp(prefix="rsvp-path-")
    uri = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/path.db"
    app = create_app({"TESTING": True, "SECRET_KEY": "path", "SITE_URL": "http://localhost",
                      "SQLALCHEMY_DATABASE_URI": uri, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
    return app


def main() -> None:
    app = make_app()
    with app.app_context():
        event_id = seed()
        engine = db.engine
    # Each request below has its own app context and session, as in production.
    if app:  # the block below runs outside any app context
        client = app.test_client()
        token = csrf(client.get("/auth/login").data)
        client.post("/auth/login", data={"email": "anna@example.org", "password": PASSWORD,
                                         "csrf_token": token})
        token = csrf(client.get(f"/events/{event_id}").data)
        statements, files = [], set()

        def count(conn, cursor, statement, *args):
            statements.append(statement)

        def trace(frame, what, arg):
            name = frame.f_code.co_filename
            if name.startswith((str(ROOT / "meetup"), str(ROOT / "templates"))):
                files.add(os.path.relpath(name, ROOT))

        sa_event.listen(engine, "before_cursor_execute", count)
        sys.setprofile(trace)
        response = client.post(f"/events/{event_id}/rsvp",
                               data={"answer": "yes", "guests": "0", "csrf_token": token})
        sys.setprofile(None)
        sa_event.remove(engine, "before_cursor_execute", count)
        assert response.status_code in (302, 303), response.status_code
        print(f"{engine.dialect.name}: {len(statements)} statements, {len(files)} files")
        for statement in statements:
            print("  SQL", " ".join(statement.split())[:110])
        for name in sorted(files):
            print("  file", name)
        engine.dispose()


if __name__ == "__main__":
    main()
