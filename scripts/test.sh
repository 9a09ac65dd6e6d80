#!/usr/bin/env bash
# Set up with test tools and run the test suite. PostgreSQL tests run when
# CALLQA_TEST_DATABASE_URL is set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
exec .venv/bin/python -m pytest "$@"
