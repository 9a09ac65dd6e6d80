"""openai-whisper, the reference engine, behind the same `Transcriber` interface.

It hears what faster-whisper hears: the same voice detector picks the speech, which is
joined and decoded as one stretch, and word times are mapped back onto the track. What it
cannot do as faster-whisper does, it refuses (`UnsupportedOption`) instead of ignoring:

- the loop retry (`loop_compression_ratio`): openai-whisper cannot forbid repeated token
  runs when it decodes a window again;
- hot words together with an initial prompt or with conditioning on previous text: its only
  way to prime every window is to carry one prompt into each, which is what hot words are
  when they stand alone.

Installed with the extra: pip install 'callqa[openai-whisper]' (see README).
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from callqa.qa.transcript import Word
from callqa.qa.transcription import (
    AUTO_LANGUAGE,
    SAMPLE_RATE,
    EngineInfo,
    EngineMissing,
    Segment,
    TranscribeOptions,
    Transcriber,
)
from callqa.qa.whisper_model import BUNDLED_MODEL, ModelError, assemble_bundled_model

__all__ = ["OpenAIWhisperTranscriber", "UnsupportedOption", "load_openai_whisper",
           "resolve_checkpoint"]

ENGINE = "openai-whisper"
INSTALL_HINT = ("pip install 'callqa[openai-whisper]' (a CPU install: see README, "
                "\"openai-whisper engine\")")


class UnsupportedOption(ValueError):
    """An option openai-whisper cannot honour."""


class OpenAIWhisperTranscriber:
    def __init__(self, checkpoint: Path, cpu_threads: int = 0) -> None:
        torch, whisper = _modules()
        torch.set_num_threads(cpu_threads or os.cpu_count() or 1)
        self._torch, self._whisper = torch, whisper
        # Word timing reads attention weights, which PyTorch's fused attention (SDPA) does
        # not give: openai-whisper switches it off for the whole process while it aligns and
        # back on after, so a transcription in another thread meanwhile aligns with fused
        # attention and fails (TypeError in whisper/timing.py). Off for good, it is the same
        # arithmetic, unfused, and two transcriptions may share a process.
        whisper.model.MultiHeadAttention.use_sdpa = False
        self._model = _load(torch, whisper, checkpoint)
        self.info = EngineInfo(engine=ENGINE, model=str(checkpoint))

    def transcribe(self, audio: np.ndarray, options: TranscribeOptions) -> Iterator[Segment]:
        check_options(options)
        speech = _speech_chunks(audio) if options.vad_filter else None
        if speech is not None:
            if not speech:
                return iter(())
            from faster_whisper.vad import collect_chunks

            audio = np.concatenate(collect_chunks(audio, speech)[0])
        result = self._decode(audio, options)
        segments = (_segment(seg) for seg in result["segments"])
        return _restored(segments, speech) if speech is not None else segments

    def _decode(self, audio: np.ndarray, options: TranscribeOptions) -> dict[str, Any]:
        prompt, carry = options.initial_prompt, False
        if options.hotwords:  # faster-whisper's hot words: a prompt for every window
            prompt, carry = options.hotwords, True
        decode: dict[str, Any] = {"fp16": False}
        if options.beam_size > 1:
            decode["beam_size"] = options.beam_size
        with self._torch.inference_mode():
            return self._whisper.transcribe(
                self._model, audio.astype(np.float32),
                language=None if options.language == AUTO_LANGUAGE else options.language,
                temperature=options.temperatures,
                no_speech_threshold=options.no_speech_threshold,
                condition_on_previous_text=options.condition_on_previous_text,
                initial_prompt=prompt, carry_initial_prompt=carry,
                word_timestamps=options.word_timestamps,
                verbose=None, **decode,
            )


def check_options(options: TranscribeOptions) -> None:
    """Raise UnsupportedOption for what openai-whisper cannot do as asked."""
    if options.loop_compression_ratio is not None:
        raise UnsupportedOption(
            "openai-whisper cannot decode a looping window again without repeated token "
            "runs: set loop_compression_ratio=None for this engine")
    if options.hotwords and (options.initial_prompt or options.condition_on_previous_text):
        raise UnsupportedOption(
            "openai-whisper primes every window only by carrying one prompt into each: hot "
            "words cannot go with an initial prompt or with condition_on_previous_text")


def _modules() -> tuple[Any, Any]:
    try:
        import torch
        import whisper
    except ImportError as exc:
        raise EngineMissing(f"the openai-whisper engine is not installed ({exc.name} is "
                            f"missing): {INSTALL_HINT}") from exc
    return torch, whisper


def _load(torch: Any, whisper: Any, checkpoint: Path) -> Any:
    try:
        saved = torch.load(checkpoint, map_location="cpu", weights_only=True)
        dims = whisper.model.ModelDimensions(**saved["dims"])
        model = whisper.model.Whisper(dims)
        model.load_state_dict(saved["model_state_dict"], strict=True)
    except (OSError, KeyError, RuntimeError, TypeError) as exc:
        raise ModelError(f"{checkpoint} is not an openai-whisper checkpoint: {exc}") from exc
    heads = saved.get("alignment_heads")
    if heads:  # the word-timing heads the model came with; else openai-whisper's default
        mask = torch.zeros(dims.n_text_layer, dims.n_text_head, dtype=torch.bool)
        for layer, head in heads:
            mask[layer, head] = True
        model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
    return model.float().eval()


def _speech_chunks(audio: np.ndarray) -> list[dict]:
    """Where faster-whisper's VAD gate finds speech, with the same default options."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    return list(get_speech_timestamps(audio, VadOptions()))


def _segment(seg: dict[str, Any]) -> Segment:
    words = tuple(Word(w["word"].strip(), round(float(w["start"]), 3),
                       round(float(w["end"]), 3), round(float(w["probability"]), 4))
                  for w in seg.get("words") or ())
    return Segment(float(seg["start"]), float(seg["end"]), seg["text"].strip(), words,
                   float(seg["avg_logprob"]), float(seg["no_speech_prob"]))


def _restored(segments: Iterator[Segment], speech: list[dict]) -> Iterator[Segment]:
    """Times in the joined speech mapped back onto the track; a word's two ends in the
    chunk that holds its middle."""
    from faster_whisper.vad import SpeechTimestampsMap

    times = SpeechTimestampsMap(speech, SAMPLE_RATE)
    for seg in segments:
        if not seg.words:
            yield Segment(times.get_original_time(seg.start),
                          times.get_original_time(seg.end, is_end=True), seg.text, seg.words,
                          seg.avg_logprob, seg.no_speech_prob)
            continue
        words = []
        for w in seg.words:
            chunk = times.get_chunk_index((w.start + w.end) / 2)
            words.append(Word(w.text, round(times.get_original_time(w.start, chunk), 3),
                              round(times.get_original_time(w.end, chunk), 3), w.probability))
        yield Segment(words[0].start, words[-1].end, seg.text, tuple(words), seg.avg_logprob,
                      seg.no_speech_prob)


def resolve_checkpoint(model: str, cache_dir: Path) -> Path:
    """The checkpoint for `model`: the bundled model converted once into the cache, or a
    user's own openai-whisper checkpoint file. Model names are not fetched (no hub)."""
    from callqa.qa.whisper_checkpoint import openai_checkpoint

    if model == BUNDLED_MODEL:
        return openai_checkpoint(assemble_bundled_model(cache_dir), cache_dir)
    path = Path(model).expanduser()
    if path.is_file():
        return path
    if path.is_dir() and (path / "model.bin").is_file():  # a CTranslate2 Whisper model
        return openai_checkpoint(path, cache_dir)
    raise ModelError(f"openai-whisper needs the bundled model, a checkpoint file (.pt) or a "
                     f"CTranslate2 Whisper directory; {model!r} is none of them here")


@lru_cache(maxsize=2)
def load_openai_whisper(model: str, cache_dir: Path, cpu_threads: int) -> Transcriber:
    """One model per process and configuration."""
    _modules()  # the install hint before any conversion work
    return OpenAIWhisperTranscriber(resolve_checkpoint(model, cache_dir), cpu_threads)
