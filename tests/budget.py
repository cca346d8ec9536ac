"""The error budget's machinery: fill every route of the URL map, find the forms on
the pages, submit them with hostile values, and record every 5xx with its cause.

The test module (tests/test_error_budget.py) decides *what* to walk; this module knows
*how*. Nothing here is specific to one route: a new route or form is picked up from
``app.url_map`` and the HTML, so it is covered the day it is added.
"""

import io
import itertools
import struct
import time
import traceback
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from flask import Flask
from flask.testing import EnvironBuilder as FlaskEnvironBuilder
from werkzeug.exceptions import HTTPException
from werkzeug.routing import AnyConverter, IntegerConverter, PathConverter

from tests.helpers import redirects_to

# --- hostile values -----------------------------------------------------------------

HUGE_NUMBER = "99999999999999999999"
VALUES = {
    "empty": "",
    "100k chars": "x" * 100_000,
    "NUL byte": "a\x00b",
    "20000 [": "[" * 20_000,
    "huge number": HUGE_NUMBER,
    "year 1": "0001-01-01T00:00",
    "year 9999": "9999-12-31",
    "-1": "-1",
}

# Appended to one URL of every GET route.
QUERY_STRINGS = {
    "q=NUL": "q=%00",
    "q=20000 [": "q=" + "%5B" * 20_000,
    "page=huge": "page=" + HUGE_NUMBER,
    "date_from=0001-01-01": "date_from=0001-01-01",
    "date_to=9999-12-31": "date_to=9999-12-31",
}

# URL arguments that exist nowhere, by converter.
FOREIGN_INTS = [0, 2**31, int(HUGE_NUMBER)]
SLOW_SECONDS = 3  # a request slower than this counts as a failure
REAL = ("real values", "no arguments")  # notes of the URLs built from demo rows
FOREIGN_STRINGS = ["does-not-exist", "\x00", "[" * 500]


def _png_header(width: int, height: int) -> bytes:
    """A tiny PNG file that claims the given size (a decompression bomb's header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat)
            + chunk(b"IEND", b""))


FILES = {
    "empty file": (b"", "empty.csv"),
    "non-UTF-8 CSV": ("Name;E-Mail\nJürgen Groß;jg@example.com\n".encode("cp1252")
                      + b"\xff\xfe\x81;\x00\n", "liste.csv"),
    "binary": (bytes(range(256)) * 64, "photo.png"),
    "PNG 20000x20000": (_png_header(20_000, 20_000), "bomb.png"),
    "PNG 10000x10000": (_png_header(10_000, 10_000), "big.png"),
    "3 MB of zeros": (b"\x00" * (3 * 1024 * 1024), "zeros.jpg"),
}


# --- failures -----------------------------------------------------------------------

@dataclass(frozen=True)
class Failure:
    role: str
    method: str
    target: str  # endpoint, and for forms the field
    value: str  # what was hostile about the request
    status: int | None
    cause: str  # the traceback's last line
    where: str  # the innermost frame inside meetup/

    def __str__(self) -> str:
        status = self.status or "exception"
        return (f"{status} {self.method} {self.target} [{self.role}] {self.value}: "
                f"{self.cause} (at {self.where})")


def _short(filename: str, lineno: int) -> str:
    path = Path(filename)
    root = next((p for p in path.parents if p.name in ("meetup", "templates")), None)
    return f"{path.relative_to(root.parent) if root else path.name}:{lineno}"


def _describe(exc: BaseException) -> tuple[str, str]:
    """The exception's first line, and where: the innermost frame of ours, and the
    outermost (the view) when that is another file."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/meetup/" in f.filename or "/templates/" in f.filename]
    if not ours:
        where = _short(frames[-1].filename, frames[-1].lineno) if frames else "?"
    else:
        where = _short(ours[-1].filename, ours[-1].lineno)
        view = _short(ours[0].filename, ours[0].lineno)
        if view.split(":")[0] != where.split(":")[0]:
            where += f" via {view}"
    last = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return last.splitlines()[0][:240], where


# --- HTML forms ---------------------------------------------------------------------

@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea"
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    method: str
    multipart: bool
    fields: list[Field] = field(default_factory=list)

    def defaults(self) -> dict:
        """What a browser would send without the visitor touching anything."""
        data: dict = {}
        for f in self.fields:
            if f.kind in ("checkbox", "radio") and not f.checked:
                continue
            if f.kind == "file":
                continue
            if f.kind in ("submit", "button", "reset", "image"):
                continue
            data.setdefault(f.name, f.value)
        return data

    @property
    def fuzzable(self) -> list[Field]:
        seen, fields = set(), []
        for f in self.fields:
            if f.name in seen or f.name == "csrf_token" or f.kind in ("submit", "button",
                                                                      "reset", "image"):
                continue
            seen.add(f.name)
            fields.append(f)
        return fields


class FormParser(HTMLParser):
    """Every <form> on a page with its named inputs, selects and textareas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").lower(),
                              "multipart" in a.get("enctype", ""))
            self.forms.append(self._form)
        elif self._form is None or "name" not in a and tag != "option":
            return
        elif tag == "input":
            self._form.fields.append(Field(a["name"], a.get("type", "text").lower(),
                                           a.get("value", "on" if a.get("type") in (
                                               "checkbox", "radio") else ""),
                                           checked="checked" in a))
        elif tag == "button":
            pass  # named buttons are submits; their value is sent only when clicked
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a or len(self._select.options) == 1:
                self._select.value = value
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea")
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None:
                self._textarea.value = self._textarea.value.removeprefix("\n")
            self._textarea = None


def forms_on(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


# --- the walker ---------------------------------------------------------------------

class Session:
    """One visitor: a test client, logged in (or not) through the real form."""

    def __init__(self, app: Flask, role: str, email: str | None, password: str,
                 address: str):
        self.app, self.role, self.email, self.password = app, role, email, password
        self.client = app.test_client()
        self.client.environ_base["REMOTE_ADDR"] = address
        self.token = ""
        self.log_in()

    def log_in(self) -> None:
        html = self._get_text("/auth/login")
        self.token = _csrf(html)
        if self.email is None:
            return
        with self.client.post("/auth/login", data={
                "csrf_token": self.token, "email": self.email,
                "password": self.password}) as response:
            try:
                redirects_to(response, "/")
            except AssertionError as error:
                error.add_note(f"{self.email} cannot log in")
                raise
        self.token = _csrf(self._get_text("/auth/login?next=/")) or self.token
        self.token = _csrf(self._get_text("/")) or self.token

    def still_logged_in(self) -> bool:
        if self.email is None:
            return True
        with self.client.session_transaction() as session:
            return "_user_id" in session

    def _get_text(self, url: str) -> str:
        with self.client.get(url) as response:
            return response.get_data(as_text=True)


def _csrf(html: str) -> str:
    for form in forms_on(html):
        for f in form.fields:
            if f.name == "csrf_token" and f.value:
                return f.value
    return ""


class Walker:
    """Sends requests, keeps every page's forms, and records every 5xx."""

    def __init__(self, app: Flask):
        self.app = app
        self.failures: list[Failure] = []
        self.requests = 0
        self.slow: set[tuple[str, str]] = set()  # (target, value) that took too long
        self.forms: dict[tuple, tuple[Session, str, Form]] = {}
        self._adapter = app.url_map.bind("localhost")
        self._addresses = itertools.count(1)

    def next_address(self) -> str:
        n = next(self._addresses)
        return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"

    # requests ---------------------------------------------------------------------

    def request(self, session: Session, method: str, url: str, target: str, value: str,
                collect: bool = False, **kwargs) -> int | None:
        """One request; a 5xx or an exception becomes a Failure. Returns the status."""
        self.requests += 1
        started = time.monotonic()
        client = session.client
        # A fresh address per request: the login and reset rate limits would
        # otherwise answer 429 and hide what the form does with the values.
        client.environ_base["REMOTE_ADDR"] = self.next_address()
        request = FlaskEnvironBuilder(self.app, url, method=method, **kwargs).get_request()
        try:
            with client.open(request) as response:
                status = response.status_code
                if collect and status == 200 and response.mimetype == "text/html":
                    self._collect(session, url, response.get_data(as_text=True))
                # Follow one local redirect: data stored by a POST is shown next.
                location = response.headers.get("Location", "")
                if method == "POST" and 300 <= status < 400 and not urlsplit(location).netloc:
                    with client.get(location) as shown:
                        if shown.status_code >= 500:
                            self._fail(session, method, target, value + " (page after)",
                                       shown.status_code, "5xx response", "?")
        except Exception as exc:  # noqa: BLE001 - every exception is a failure to record
            self._fail(session, method, target, value, None, *_describe(exc))
            return None
        finally:
            # Large multipart bodies are spooled to a temporary file nobody else closes.
            request.environ["wsgi.input"].close()
        if status >= 500:
            self._fail(session, method, target, value, status, "5xx response", "?")
        seconds = time.monotonic() - started
        if seconds > SLOW_SECONDS:
            # As good as a 5xx: a few such requests tie up every worker.
            self._fail(session, method, target, value, status, f"took {seconds:.0f} s",
                       "?")
            self.slow.add((target, value.split("=")[-1].removeprefix("every field ")))
        return status

    def _fail(self, session, method, target, value, status, cause, where) -> None:
        self.failures.append(Failure(session.role, method, target, value, status, cause,
                                     where))

    def endpoint_of(self, url: str, method: str) -> str:
        parts = urlsplit(url)
        try:
            endpoint, _args = self._adapter.match(parts.path, method=method.upper())
        except HTTPException:
            return parts.path
        return endpoint

    def _collect(self, session: Session, url: str, html: str) -> None:
        for form in forms_on(html):
            action = form.action or urlsplit(url).path
            form.action = action
            key = (session.role, form.method, self.endpoint_of(action, form.method),
                   tuple(sorted(f.name for f in form.fields)))
            self.forms.setdefault(key, (session, url, form))

    # GET routes -------------------------------------------------------------------

    def urls_for_rule(self, rule, candidates: dict) -> list[tuple[str, str]]:
        """(url, what is special about it) for a rule: real values in a bounded
        number of combinations, then each argument foreign while the others are real."""
        names = sorted(rule.arguments)
        real = {name: self._real_values(rule, name, candidates) for name in names}
        combos = list(itertools.islice(itertools.product(*(real[n] for n in names)), 60))
        urls = [(self._build(rule, dict(zip(names, combo, strict=True))), REAL[0])
                for combo in combos if combo]
        if not names:
            urls.append((self._build(rule, {}), REAL[1]))
        for name in names:
            base = {n: real[n][0] for n in names if real[n]}
            for foreign in self._foreign_values(rule, name):
                urls.append((self._build(rule, {**base, name: foreign}),
                             f"{name}={str(foreign)[:30]!r}"))
        return [(url, note) for url, note in urls if url is not None]

    def _real_values(self, rule, name: str, candidates: dict) -> list:
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            return list(converter.items)
        return list(candidates.get(name, []))

    def _foreign_values(self, rule, name: str) -> list:
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            return []
        if isinstance(converter, IntegerConverter):
            return FOREIGN_INTS
        if isinstance(converter, PathConverter):
            return ["does/not/exist"]
        return FOREIGN_STRINGS

    def _build(self, rule, values: dict) -> str | None:
        if set(values) != set(rule.arguments):
            return None
        try:
            return self._adapter.build(rule.endpoint, values, method="GET")
        except Exception:  # noqa: BLE001 - a value the converter refuses: nothing to visit
            return None

    def walk_gets(self, sessions: list[Session], rules, candidates: dict,
                  hostile: bool = True) -> None:
        """Every rule's URLs for every visitor; without ``hostile`` only the real ones
        (the second walk, which shows what the forms stored)."""
        for rule in rules:
            urls = self.urls_for_rule(rule, candidates)
            if not hostile:
                urls = [(url, note) for url, note in urls if note in REAL]
            for session in sessions:
                for url, note in urls:
                    self.request(session, "GET", url, rule.endpoint, note, collect=hostile)
                if hostile and urls:
                    url = urls[0][0]
                    for note, query in QUERY_STRINGS.items():
                        self.request(session, "GET", f"{url}?{query}", rule.endpoint, note)

    # forms ------------------------------------------------------------------------

    def submit_forms(self, last: set[str]) -> None:
        """Every collected form: as found, and with every field hostile at once (per
        value); the first role to see a form also sends each field hostile on its own.
        Forms whose endpoint is in ``last`` (logging out, deleting, leaving) go last,
        so they do not take the rest's ground away."""
        entries = sorted(self.forms.items(),
                         key=lambda item: (item[0][2] in last, item[0][2], item[0][0]))
        thorough = set()
        for (_role, method, endpoint, names), (session, page, form) in entries:
            first = (method, endpoint, names) not in thorough
            thorough.add((method, endpoint, names))
            for data, note in _variants(form, each_field=first):
                value = note.split("=")[-1].removeprefix("every field ")
                if (f"form {endpoint}", value) in self.slow:
                    continue  # reported once; sending it again only costs time
                self._submit(session, page, form, endpoint, data, note)

    def _submit(self, session: Session, page: str, form: Form, endpoint: str, data: dict,
                note: str) -> None:
        if not session.still_logged_in():
            session.log_in()
        data = {k: (v() if callable(v) else v) for k, v in data.items()}
        if form.method == "get":
            query = urlencode({k: v for k, v in data.items() if isinstance(v, str)})
            self.request(session, "GET", f"{form.action.split('?')[0]}?{query}",
                         f"form {endpoint}", note)
            return
        data["csrf_token"] = session.token
        multipart = form.multipart or any(isinstance(v, tuple) for v in data.values())
        self.request(session, "POST", form.action, f"form {endpoint}", note, data=data,
                     content_type="multipart/form-data" if multipart else None)


# Each field on its own gets the values its type is most likely to choke on.
TEXT_VALUES = ["empty", "100k chars", "NUL byte", "20000 ["]
NUMBER_VALUES = ["empty", "NUL byte", "huge number", "-1", "100k chars"]
DATE_VALUES = ["empty", "NUL byte", "year 1", "year 9999", "huge number", "100k chars"]
NUMBER_KINDS = {"number", "range", "select", "radio", "checkbox", "hidden"}
DATE_KINDS = {"date", "datetime-local", "time", "month", "week"}


def values_for(kind: str) -> list[str]:
    if kind in DATE_KINDS:
        return DATE_VALUES
    return NUMBER_VALUES if kind in NUMBER_KINDS else TEXT_VALUES


def _variants(form: Form, each_field: bool):
    defaults = form.defaults()
    yield defaults, "as found"
    fields = form.fuzzable
    if not fields:
        return
    files = itertools.cycle(FILES.values())
    for note, value in VALUES.items():
        data = dict(defaults)
        for f in fields:
            data[f.name] = _file(next(files)) if f.kind == "file" else value
        yield data, f"every field {note}"
    if not each_field:
        return
    for f in fields:
        if f.kind == "file":
            for note, payload in FILES.items():
                yield {**defaults, f.name: _file(payload)}, f"{f.name}={note}"
            continue
        for note in values_for(f.kind):
            yield {**defaults, f.name: VALUES[note]}, f"{f.name}={note}"


def _file(payload: tuple[bytes, str]):
    content, name = payload
    return lambda: (io.BytesIO(content), name)
