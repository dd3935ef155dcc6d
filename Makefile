# The set-up contract: `make run` serves the platform, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000

.PHONY: install run test bench worker lint format migrate messages screenshots clean production-smoke

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

run: migrate
	SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(PY) manage.py runplatform --port $(PORT)

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/run.py

worker: install
	$(VENV)/bin/celery -A marketplace worker --beat --loglevel=info

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: install
	$(PY) manage.py makemessages -l it -l en -l de -l fr --no-location --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

screenshots: install
	$(PY) docs/screenshots.py

production-smoke: install
	bash .ci/production_smoke.sh

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
