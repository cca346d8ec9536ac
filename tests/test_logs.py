"""Every request has an id, answered as X-Request-ID and written on each of its log
lines; one access line per request; JSON lines when LOG_FORMAT is json."""

import json
import logging

import pytest

from meetup import logs
from tests.helpers import disposing, make_app


@pytest.fixture
def json_app(sqlite_uri, smtp):
    app = make_app(sqlite_uri, smtp[0].port, LOG_FORMAT="json")

    @app.get("/_test/log")
    def say_something():
        app.logger.warning("looking at %s", "this")
        logging.getLogger("meetup.calendar.cache").info("from a module logger")
        return "ok"

    with disposing(app):
        yield app
    logs.install_handler(app.logger, "text")


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_an_incoming_request_id_is_answered_and_on_every_log_line(json_app, capsys):
    response = json_app.test_client().get("/_test/log", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    lines = json_lines(capsys.readouterr().err)
    assert [line["message"] for line in lines] == [
        "looking at this", "from a module logger", "GET /_test/log 200 " +
        f"{lines[-1]['duration_ms']:.1f} ms"]
    assert {line["request_id"] for line in lines} == {"abc-123"}
    assert lines[0]["level"] == "WARNING" and lines[0]["logger"] == "meetup"
    access = lines[-1]
    assert access["logger"] == "meetup.access"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/_test/log", 200)
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] >= 0
    assert "time" in access


@pytest.mark.parametrize("incoming", ["", "x" * 129, "evil\tline", "<script>", "a b", "ünïcode"])
def test_an_odd_request_id_is_replaced_by_a_new_one(json_app, capsys, incoming):
    response = json_app.test_client().get("/healthz", headers={"X-Request-ID": incoming})
    answered = response.headers["X-Request-ID"]
    assert answered != incoming and len(answered) == 32
    (access,) = json_lines(capsys.readouterr().err)
    assert access["request_id"] == answered and access["status"] == 200


def test_each_request_gets_its_own_id(json_app, capsys):
    client = json_app.test_client()
    ids = {client.get("/healthz").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3
    assert {line["request_id"] for line in json_lines(capsys.readouterr().err)} == ids


def test_text_lines_carry_the_id_too(sqlite_uri, smtp, capsys):
    app = make_app(sqlite_uri, smtp[0].port)
    with disposing(app):
        response = app.test_client().get("/healthz", headers={"X-Request-ID": "r-1"})
    err = capsys.readouterr().err
    assert response.headers["X-Request-ID"] == "r-1"
    assert "INFO meetup.access [r-1] GET /healthz 200" in err


def test_an_unknown_log_format_refuses_to_start(sqlite_uri, smtp):
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        make_app(sqlite_uri, smtp[0].port, LOG_FORMAT="xml")
