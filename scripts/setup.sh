#!/usr/bin/env bash
# Create .venv and install callqa into it: --dev adds the test tools, --openai-whisper the
# reference engine for CPU (torch 2.13.0 and openai-whisper without triton, which only its CUDA
# kernels use; the extra callqa[openai-whisper] would pull it on Linux x86_64).
set -euo pipefail
cd "$(dirname "$0")/.."
extras=""
openai_whisper=""
for arg in "$@"; do
    case "$arg" in
        --dev) extras="[dev]" ;;
        --openai-whisper) openai_whisper=1 ;;
        *) echo "usage: $0 [--dev] [--openai-whisper]" >&2; exit 2 ;;
    esac
done
[ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".${extras}"
if [ -n "$openai_whisper" ]; then
    # the extra's packages, listed in setup.cfg, less openai-whisper's own dependency list
    .venv/bin/python -m pip install --quiet torch==2.13.0 "tiktoken>=0.7" "numba>=0.59" \
        "more-itertools>=10" tqdm numpy
    .venv/bin/python -m pip install --quiet --no-deps openai-whisper==20250625
fi
