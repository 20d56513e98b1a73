# CareTrack: two commands do all the set-up on a fresh machine with only Python 3.11.
#   make run   — virtualenv, requirements, migrate, demo data (once), server on http://127.0.0.1:8000
#   make test  — virtualenv, requirements, ruff, the whole test suite (browser tests when chromium exists)
#   make serve — production on this machine (README "Production"): release, static files, checks, gunicorn
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench bench-county concurrency release serve clean

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

# Production (README "Production"), with the environment of deploy/caretrack.env.example exported.
# release: once per upgrade, from one machine (migrate also makes the cached figures' table).
release: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

# serve: one app server in the foreground; deploy/caretrack.service runs the same gunicorn under systemd.
serve: release
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py check --deploy
	exec $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py caretrack.wsgi:application

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
