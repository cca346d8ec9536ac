# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app meetup
STAMP := $(VENV)/.installed
LOCK := requirements.lock
JS_STAMP := tests/js/node_modules/.installed
PYTEST_ARGS ?=
PORT ?= 5000
# The address links in mails point to; set it to the public one in production.
export MEETUP_SITE_URL ?= http://127.0.0.1:$(PORT)
BABEL_EXTRACT := $(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _nl:1,2 \
	--ignore-dirs ".* __pycache__ .venv" --no-location --sort-output --omit-header

.PHONY: run serve test lint lock translations translations-update clean

# The web server, and beside it the outbox sender that delivers queued mails (without
# MAIL_SERVER to the log and to /dev/mailbox); when the server stops, so does the sender.
run: $(STAMP) translations instance/config.py
	$(FLASK) db upgrade
	$(FLASK) seed-if-empty
	$(FLASK) outbox work & worker=$$!; \
	( while :; do $(FLASK) notifications tick >/dev/null || true; sleep 60; done ) & ticker=$$!; \
	trap 'kill $$worker $$ticker 2>/dev/null; wait $$worker' EXIT; trap 'exit 130' INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Production serving (README, "Deploy"): migrations first, then gunicorn on
# 127.0.0.1:$(PORT) behind a reverse proxy, 2 × cores + 1 workers unless WORKERS=
# says otherwise, JSON logs. The outbox sender runs as a service of its own.
WORKERS ?= $(shell $(PYTHON) -c "import os; print(2 * (os.cpu_count() or 1) + 1)")
serve: $(STAMP) translations
	$(FLASK) db upgrade
	MEETUP_LOG_FORMAT=$${MEETUP_LOG_FORMAT:-json} exec $(BIN)/gunicorn --workers $(WORKERS) \
		--bind 127.0.0.1:$(PORT) --no-control-socket \
		--forwarded-allow-ips "" wsgi:app

test: $(STAMP) translations $(JS_STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

# Exactly the locked versions, checked against their hashes; then the app itself.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Re-resolve the lock file from the ranges in pyproject.toml (after changing them, or to
# take newer releases): `make lock`, run `make test`, commit both files.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv
	echo "setuptools>=69" | UV_PYTHON_DOWNLOADS=never $(BIN)/uv pip compile pyproject.toml - \
		--extra test --generate-hashes --universal --python-version 3.11 \
		--no-header --quiet $(LOCK_ARGS) -o $(LOCK)

# Mozilla's ical.js, an independent reader for the calendar tests (needs Node.js).
$(JS_STAMP): tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null; then \
		cd tests/js && npm ci --no-audit --no-fund --silent && touch node_modules/.installed; \
	else echo "npm not found: the ical.js reader tests will be skipped"; fi

# Compiled catalogues (.mo) are build output, not committed.
translations: $(STAMP)
	$(BIN)/pybabel -q compile -d meetup/translations

# After changing UI text: extract, merge, then translate the new German entries.
translations-update: $(STAMP) instance/config.py
	$(BABEL_EXTRACT) -o meetup/translations/messages.pot .
	$(BIN)/pybabel update -i meetup/translations/messages.pot -d meetup/translations \
		--no-fuzzy-matching --ignore-obsolete -w 100
	$(FLASK) translations fill-english

# A secret key for development, generated once, never committed.
instance/config.py:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}')" > $@

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
	find meetup/translations -name '*.mo' -delete
