#!/usr/bin/env bash
# The whole test suite: lint, migrations check, pytest. Browser tests run when Debian's chromium exists.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
.venv/bin/ruff check .
DJANGO_DEBUG=0 $PY manage.py makemigrations --check --dry-run >/dev/null || {
  echo "Model changes without a migration: run python manage.py makemigrations" >&2; exit 1; }
if [ -x "${CHROMIUM:-/usr/bin/chromium}" ] || command -v chromium >/dev/null 2>&1; then
  echo "Browser tests: using $(command -v chromium || echo "${CHROMIUM}")"
else
  echo "Browser tests SKIPPED: chromium not found. Enable them with: sudo apt-get install -y chromium fonts-wqy-microhei"
fi
# Both cores (pytest-xdist): each worker has its own test database. PYTEST_WORKERS=0 runs in one process.
$PY -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
