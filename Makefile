# CareTrack: two commands do all the set-up on a fresh machine with only Python 3.11.
#   make run   — virtualenv, requirements, migrate, demo data (once), server on http://127.0.0.1:8000
#   make test  — virtualenv, requirements, ruff, the whole test suite (browser tests when chromium exists)
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench bench-county concurrency clean

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	bash scripts/test.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(PY) bench/run.py

# County scale on PostgreSQL (builds caretrack_bench_county beside DATABASE_URL once, then reuses it).
bench-county: $(STAMP)
	$(PY) bench/run.py --county --database-url "$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

# 50 simulated teachers × 20 talks against gunicorn (SQLite; add ARGS="--database-url postgres://…").
concurrency: $(STAMP)
	$(PY) scripts/concurrency_check.py $(ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
