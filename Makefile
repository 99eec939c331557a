VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi

.PHONY: install run test bench bench-load lint migrate

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(FLASK) db upgrade

run: migrate
	$(FLASK) seed demo
	SCHEDULER_ENABLED=1 $(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(VENV)/bin/pytest

bench: install
	$(PY) -m tests.bench.run

# The campaign day over real HTTP on PostgreSQL and SQLite (~25 min; docs/performance.md).
bench-load: install
	$(PY) -m tests.bench.load

lint: install
	$(VENV)/bin/ruff check .
