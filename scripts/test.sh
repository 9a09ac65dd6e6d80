#!/usr/bin/env bash
# Set up with test tools and run the test suite. PostgreSQL tests run when
# CALLQA_TEST_DATABASE_URL is set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
# one test process per core; a module's tests stay in one process, in their order, with
# its fixtures built once (a Celery cluster, the web access matrix's world). -n 0 runs
# in this process alone.
exec .venv/bin/python -m pytest -n "${CALLQA_TEST_PROCESSES:-auto}" --dist loadscope "$@"
