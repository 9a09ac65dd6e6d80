"""Render the English card call the audio redaction tests use (tests/redaction/data/
card_call.flac) with espeak-ng: agent on the left, customer on the right, 8 kHz. Run once;
the file is shipped with the tests, which need no speech synthesizer.

    .venv/bin/python scripts/render_card_call.py
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import av

sys.path.insert(0, str(Path(__file__).parent))
from bench_redaction import render  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "redaction" / "data"
CALL = {"id": "card_call", "timing": [
    {"speaker": "agent", "text": "Thank you for calling Northwind. How can I help you today?"},
    {"speaker": "customer", "text": "Hello, I would like to pay my bill by card."},
    {"speaker": "agent", "text": "Of course. Could I have the card number, please?"},
    {"speaker": "customer",
     "text": "Sure. 4539, 1488, 5343, 6466."},
    {"speaker": "agent", "text": "Thank you. The payment is done. Have a great day, goodbye."},
]}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        wav, timing = render(CALL, Path(folder))
        target = DATA / "card_call.flac"
        with av.open(str(wav)) as inp, av.open(str(target), "w") as out:
            stream = inp.streams.audio[0]
            encoder = out.add_stream("flac", rate=stream.codec_context.sample_rate,
                                     layout=stream.codec_context.layout.name)
            for frame in inp.decode(stream):
                out.mux(encoder.encode(frame))
            out.mux(encoder.encode(None))
    (DATA / "card_call.json").write_text(json.dumps({"timing": timing}, indent=1) + "\n")
    print(f"wrote {target} ({target.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
