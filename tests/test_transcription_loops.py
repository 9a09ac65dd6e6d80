"""Repetition loops: a window Whisper decoded as one phrase over and over is decoded again
with no token run repeated, and only that window."""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass

import pytest

from callqa.qa.audio import decode_audio
from callqa.qa.transcription import TranscribeOptions, _is_loop, _windows

# Whether Whisper loops on a window is a property of the arithmetic: cpl016's customer channel
# loops with CTranslate2's AVX kernels, while other kernels (AVX2, AVX-512, generic) may
# decode it without a loop on one machine and with one on another. Run with the AVX kernels,
# the loop, and so its retry, is the same on every x86 machine.
LOOPING_ISA = "AVX"


@dataclass
class RawSegment:  # the fields of faster-whisper's Segment that loop detection reads
    seek: int
    compression_ratio: float


def test_segments_group_by_the_window_they_were_decoded_in():
    segments = [RawSegment(0, 1.2), RawSegment(0, 1.2), RawSegment(3000, 9.5),
                RawSegment(5800, 1.4)]
    windows = list(_windows(iter(segments)))
    assert [[s.seek for s in w] for w in windows] == [[0, 0], [3000], [5800]]
    assert list(_windows(iter([]))) == []


@pytest.mark.parametrize("ratios, threshold, loop", [
    ([1.4, 1.4], 2.4, False),
    ([10.4], 2.4, True),
    ([2.4], 2.4, False),  # Whisper's own test: more than the threshold
    ([10.4], None, False),  # turned off
])
def test_a_loop_is_a_window_whose_text_compresses_too_well(ratios, threshold, loop):
    assert _is_loop([RawSegment(0, r) for r in ratios], threshold) is loop


def test_a_looping_customer_channel_is_decoded_again(request, corpus, manifest):
    """cpl016's 8 kHz Polish customer channel: decoded as it comes, one phrase fills the
    whole track; decoded again, no utterance repeats more than a real caller would."""
    if os.environ.get("CT2_FORCE_CPU_ISA") != LOOPING_ISA:  # in a process with those kernels
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             f"{__file__}::{request.node.name}"],
            env={**os.environ, "CT2_FORCE_CPU_ISA": LOOPING_ISA}, capture_output=True,
            text=True, timeout=900)
        assert run.returncode == 0, run.stdout[-4000:]
        return
    transcriber = request.getfixturevalue("transcriber")
    customer = decode_audio(corpus / "audio" / "cpl016.wav").channels[1]
    turns = [t for t in manifest["cpl016"]["timing"] if t["speaker"] == "customer"]
    first, last = turns[0]["start"] - 1.0, turns[-1]["end"] + 1.0
    as_decoded = TranscribeOptions(language="pl", loop_compression_ratio=None)
    looped = Counter(s.text for s in transcriber.transcribe(customer, as_decoded))
    assert looped.most_common(1)[0][1] >= 10

    segments = list(transcriber.transcribe(customer, TranscribeOptions(language="pl")))
    assert segments and max(Counter(s.text for s in segments).values()) <= 3
    assert all(first <= s.start <= s.end <= last for s in segments)  # in the call's own time
    words = [w for s in segments for w in s.words]
    assert words and all(s.start - 0.5 <= w.start <= s.end + 0.5
                         for s in segments for w in s.words)
