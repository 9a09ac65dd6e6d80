#!/usr/bin/env bash
# The main job on the embedded defaults: set up, then ingest the shipped sample calls,
# transcribe them with the bundled Whisper model into the default SQLite database, print
# their speaker-labelled transcripts, make demo accounts (printed) and serve the review UI
# on http://127.0.0.1:5000 until Ctrl+C. Arguments go to `callqa demo` (--no-serve,
# --host, --port, --new-passwords). Running it again keeps the calls and the accounts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# exec: the script becomes callqa, so a SIGTERM to it reaches the server and its worker
exec .venv/bin/callqa demo "$@"
