# The two commands in README.md are `make run` and `make test`; the others: superuser, smoke, bench, lint, clean. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
export DJANGO_SETTINGS_MODULE := radiology_site.settings

# The port `make run` serves on: `make run PORT=8001`, or PORT in the environment.
PORT ?= 8000
ifneq ($(filter run,$(MAKECMDGOALS)),)
ifeq ($(shell echo '$(PORT)' | grep -Ex '[1-9][0-9]{0,4}'),)
$(error PORT must be a port number such as 8000, not "$(PORT)")
endif
endif

.PHONY: run test lint smoke bench demo superuser clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

## run: set up an SQLite database with the demo content (where missing) and serve it on http://127.0.0.1:$(PORT)/
run: $(VENV)/.runtime
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(MANAGE) migrate --no-input
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(MANAGE) load_demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(MANAGE) runserver 127.0.0.1:$(PORT)

## superuser: create a staff login for /admin/
superuser: $(VENV)/.runtime
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(MANAGE) createsuperuser

## test: lint, check migrations and run the whole suite (set DATABASE_URL to test on PostgreSQL)
test: $(VENV)/.dev lint
	DJANGO_DEBUG=1 $(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest

## smoke: production smoke test: nginx + gunicorn with debug off (needs nginx, openssl and a PostgreSQL DATABASE_URL)
smoke: $(VENV)/.runtime
	$(BIN)/python .ci/smoke.py

## bench: the condition page, uncached and cached, against a trivial Django view under gunicorn (about a minute, loopback only)
bench: $(VENV)/.runtime
	$(BIN)/python bench/run.py

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
