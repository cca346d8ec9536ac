"""Per-address limits shared through Redis by every app process."""

import json
import subprocess
import sys

import pytest
from limits.storage import RedisStorage

from meetup import create_app
from meetup.config import ROOT
from meetup.extensions import db, limiter
from tests.helpers import base_config, log_in, make_app

# A second app instance in its own process, as a second gunicorn worker would be:
# within one process every app shares the one Limiter, which would prove nothing.
WORKER = """
import json, sys
from meetup import create_app
from meetup.extensions import db
app = create_app(json.loads(sys.argv[1]))
client = app.test_client()
statuses = [client.post("/auth/login", data={"email": f"guess{n}@example.com",
                                             "password": "wrong password!"}).status_code
            for n in range(int(sys.argv[2]))]
with app.app_context():
    db.engine.dispose()
print(json.dumps(statuses))
"""


def other_process(config: dict, attempts: int) -> list[int]:
    result = subprocess.run([sys.executable, "-c", WORKER, json.dumps(config), str(attempts)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def close_limiter_storage():
    """The Limiter is global: close its Redis connections after the test."""
    yield
    if isinstance(limiter.storage, RedisStorage):
        limiter.storage.storage.close()
        limiter.storage.storage.connection_pool.disconnect()


def test_two_app_processes_share_the_per_address_login_count(
        database_uri, smtp, redis_server, redis_url, close_limiter_storage):
    config = {**base_config(database_uri, smtp[0].port), "REDIS_URL": redis_url,
              "ACCOUNT_LOGIN_LIMIT": 1000}
    app = create_app(config)
    client = app.test_client()
    try:
        statuses = [log_in(client, email=f"try{n}@example.com", password="wrong password!")
                    .status_code for n in range(6)]
        assert statuses == [422] * 6
        assert any(b"auth.login" in key for key in redis_server.stored_keys())
        # LOGIN_RATE_LIMIT is 10 per minute for this address, counted across both.
        assert other_process({**config, "WTF_CSRF_ENABLED": False}, 5) == [422] * 4 + [429]
        assert log_in(client, email="last@example.com").status_code == 429
    finally:
        with app.app_context():
            db.engine.dispose()


def test_limiter_storage_comes_from_redis_url_unless_set_explicitly():
    def storage(**config) -> str:
        app = make_app("sqlite://", 25, **config)
        return app.config["RATELIMIT_STORAGE_URI"]

    assert storage() == "memory://"
    assert storage(REDIS_URL="redis://cache:6379/1") == "redis://cache:6379/1"
    assert storage(REDIS_URL="redis://cache:6379/1",
                   RATELIMIT_STORAGE_URI="redis://other:6380/2") == "redis://other:6380/2"
