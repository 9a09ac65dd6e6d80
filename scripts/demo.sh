#!/usr/bin/env bash
# The main job on the embedded defaults: set up, then ingest the shipped sample calls,
# transcribe them with the bundled Whisper model into the default SQLite database, and
# print their speaker-labelled transcripts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/callqa demo "$@"
