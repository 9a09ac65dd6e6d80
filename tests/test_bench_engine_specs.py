"""scripts/bench_transcribe.py --engines: each row's levers become that row's own options."""
from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import pytest

_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench_transcribe.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_transcribe", _SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def test_levers_are_the_rows_own_options_and_the_label_names_them(bench):
    default, levered = bench._engine_specs("faster-whisper@2x1,faster-whisper+beam3+no-words@2x1")
    assert default.arguments() == [
        "--engine", "faster-whisper", "--jobs", "2", "--cpu-threads", "1"]
    assert levered.label == "faster-whisper+beam3+no-words@2x1"
    assert levered.arguments() == [
        "--engine", "faster-whisper", "--beam-size", "3", "--no-word-timestamps",
        "--jobs", "2", "--cpu-threads", "1"]


def test_a_lever_given_after_the_shared_options_wins(bench):
    (spec,) = bench._engine_specs("faster-whisper:float32+batch8+no-loop-retry@1x2")
    args = bench.parse_args(["--beam-size", "5", "--loop-retry", *spec.arguments()])
    assert (args.compute_type, args.batch_size, args.loop_retry) == ("float32", 8, False)
    assert (args.jobs, args.cpu_threads, args.beam_size) == (1, 2, 5)


@pytest.mark.parametrize("text", ["faster-whisper+fast", "faster-whisper+beam0",
                                  "faster-whisper+beamx"])
def test_an_unknown_lever_is_refused_with_the_known_ones(bench, text):
    with pytest.raises(argparse.ArgumentTypeError, match="beamN"):
        bench._engine_specs(text)
