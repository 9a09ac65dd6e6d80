"""Benchmark transcription speed and accuracy on the shared test corpus.

Runs the product pipeline (decode_audio -> call_tracks -> transcribe_channels) over the
corpus calls with the options given on the command line and reports speed (real-time
factor, audio minutes per CPU minute, peak memory) and accuracy (word error rate against
the reference turns, and reference turns that got no hypothesis words at all).

    .venv/bin/python scripts/bench_transcribe.py                       # product defaults
    .venv/bin/python scripts/bench_transcribe.py --beam-size 5 --json
    .venv/bin/python scripts/bench_transcribe.py --calls 4 --language en \\
        --no-speech-threshold none --temperatures 0 --cpu-threads 1

Both engines, one after the other in one run, each in its own process (so peak memory is
its own), with a comparison table at the end: per engine x real time for the machine, audio
minutes per CPU minute, peak RSS, WER, turns lost, and checklist/FCR verdict agreement with
the first engine listed (the current defaults) and with the manifest's truth:

    .venv/bin/python scripts/bench_transcribe.py \\
        --engines faster-whisper@2x1,faster-whisper:float32@2x1,openai-whisper@1x2

An engine is NAME[:COMPUTE_TYPE][+LEVER...][@JOBSxTHREADS]: JOBS calls at once, each on its
own model with THREADS threads (2x1 is a worker per core on two cores). A lever changes one
option for that row alone, so the levers are measured side by side in one run: +batchN
decodes both parties' speech chunks of a call together, N 30 s windows at a time
(--batch-size); +beamN is the beam size; +no-words drops word timestamps; +no-loop-retry
keeps repetition loops as decoded:

    .venv/bin/python scripts/bench_transcribe.py --reports /tmp/reports --engines \\
        faster-whisper@2x1,faster-whisper+batch8@1x2,faster-whisper+beam3+no-words@2x1

Options not given come from the product defaults (Settings, TranscribeOptions) as they are
when the script starts; the report prints the configuration actually used, so pass every
option explicitly when comparing runs. --parallel-channels and --jobs are experiments the
product does not do (yet).

Run one benchmark at a time: on a small machine two runs slow each other down and both
timings are wrong. The report gives the CPU seconds other processes used during the run;
if that is large, the wall-clock figures are pessimistic. The corpus is only read here,
never by the product.

Long recordings (peak memory of the worker's path on a synthesized 4 h stereo call, whole
and in pieces): scripts/bench_long.py.
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import resource
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from callqa.qa.audio import decode_audio
from callqa.qa.batched import BatchedTranscriber
from callqa.qa.metadata import ManifestEntry, read_manifest_entries
from callqa.qa.transcript import Speaker, Transcript, Utterance
from callqa.qa.transcription import (
    DEFAULT_COMPUTE_TYPE,
    FasterWhisperTranscriber,
    TranscribeOptions,
    Transcriber,
    call_tracks,
    transcribe_channels,
)
from callqa.qa.transcription import Engine as EngineName
from callqa.qa.wer import EMPTY, WerResult, word_error_rate
from callqa.qa.whisper_model import resolve_model
from callqa.services.evaluation import assess_entry, fcr_predictors, predictions_for
from callqa.services.score_store import rules_for
from callqa.services.transcribing import load_transcriber, transcribe_options
from callqa.settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
NO_SPEECH_FILES = ("bad/silence_60s.wav", "bad/noise_only_30s.wav")
ROLES = (Speaker.AGENT.value, Speaker.CUSTOMER.value)
# Whisper word times are approximate: "Perfect." at 21.52-21.52 s for a turn at 21.55-22.52 s.
DEFAULT_SLACK_S = 0.25


# --- command line -----------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    settings = load_settings()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="corpus directory with manifest.jsonl (default: %(default)s)")
    parser.add_argument("--calls", type=int, default=None, help="only the first N calls")
    parser.add_argument("--language", choices=("pl", "en"), default=None,
                        help="only calls in this language")
    parser.add_argument("--beam-size", type=int, default=settings.beam_size,
                        help="beam size (default: Settings.beam_size, %(default)s)")
    parser.add_argument("--no-speech-threshold", type=_threshold, default=_DEFAULT,
                        help="a float, or 'none' to disable (default: TranscribeOptions)")
    parser.add_argument("--temperatures", type=_temperatures, default=None,
                        help="'0' or '0,0.2,0.4,...' (default: TranscribeOptions)")
    parser.add_argument("--prompt", default=settings.whisper_prompt,
                        help="initial prompt setting: 'none', 'default' (the shipped call "
                             "openings) or text (default: Settings.whisper_prompt, "
                             "%(default)s)")
    parser.add_argument("--vocabulary", default=settings.vocabulary,
                        help="names to expect, comma-separated (default: Settings.vocabulary, "
                             "%(default)r)")
    parser.add_argument("--agent-hint", action=argparse.BooleanOptionalAction,
                        default=settings.hint_agent_name,
                        help="give the call's agent name as a hint (default: %(default)s)")
    parser.add_argument("--engine", type=EngineName, default=settings.engine,
                        choices=list(EngineName),
                        help="speech engine (default: Settings.engine, %(default)s)")
    parser.add_argument("--engines", type=_engine_specs, default=None,
                        help="run these engines one after another, each in its own process, "
                             "and compare them: NAME[:COMPUTE_TYPE][+LEVER...][@JOBSxTHREADS],...")
    parser.add_argument("--reports", type=Path, default=None,
                        help="with --engines: write each engine's JSON report into this folder")
    parser.add_argument("--compute-type", default=settings.compute_type,
                        help="CTranslate2 compute type (default: %(default)s)")
    parser.add_argument("--cpu-threads", type=int, default=settings.cpu_threads,
                        help="threads per model, 0 = one per core (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=settings.batch_size,
                        help="decode all tracks of a call together, this many 30 s windows "
                             "at a time; 0: track after track (default: Settings.batch_size, "
                             "%(default)s)")
    parser.add_argument("--vad", action=argparse.BooleanOptionalAction, default=None,
                        help="Silero VAD filter (default: TranscribeOptions)")
    parser.add_argument("--word-timestamps", action=argparse.BooleanOptionalAction,
                        default=None, help="word timestamps (default: TranscribeOptions; "
                                           "without them turns are timed by segment)")
    parser.add_argument("--loop-retry", action=argparse.BooleanOptionalAction, default=None,
                        help="decode a repetition-loop window again with n-gram blocking "
                             "(default: TranscribeOptions)")
    parser.add_argument("--parallel-channels", action="store_true",
                        help="experimental: transcribe the two channels of a call at once, "
                             "on two model replicas (not what the product does)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="experimental: transcribe this many calls at once, each on its own "
                             "model replica, like that many worker processes (default: 1)")
    parser.add_argument("--slack", type=float, default=DEFAULT_SLACK_S,
                        help="seconds a hypothesis word may miss a reference turn by and still "
                             "count for it in the dropped-turn check; word timestamps are "
                             "approximate (default: %(default)s; strict overlap is reported "
                             "too)")
    parser.add_argument("--skip-no-speech-check", action="store_true",
                        help="do not run the silence and noise-only files")
    parser.add_argument("--dump", type=Path, default=None,
                        help="write every call's hypothesis text and dropped turns to this "
                             "JSONL file")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no per-call progress on stderr")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.batch_size < 0:
        parser.error("--batch-size must be 0 or more")
    if args.jobs > 1 and args.parallel_channels:
        parser.error("use --jobs or --parallel-channels, not both")
    return args


_DEFAULT = object()  # "--no-speech-threshold not given": keep the TranscribeOptions default


@dataclass(frozen=True)
class EngineSpec:
    name: EngineName
    compute_type: str | None = None
    jobs: int | None = None
    threads: int | None = None
    batch_size: int | None = None
    levers: tuple[str, ...] = ()  # "+beam3", "+no-words": this row's own options

    @property
    def label(self) -> str:
        text = str(self.name) + (f":{self.compute_type}" if self.compute_type else "")
        text += f"+batch{self.batch_size}" if self.batch_size is not None else ""
        text += "".join(f"+{lever}" for lever in self.levers)
        return text + (f"@{self.jobs}x{self.threads}" if self.jobs else "")

    def arguments(self) -> list[str]:
        extra = ["--engine", str(self.name)]
        if self.compute_type:
            extra += ["--compute-type", self.compute_type]
        if self.batch_size is not None:
            extra += ["--batch-size", str(self.batch_size)]
        for lever in self.levers:
            extra += _lever_arguments(lever)
        if self.jobs:
            extra += ["--jobs", str(self.jobs), "--cpu-threads", str(self.threads)]
        return extra


def _engine_specs(text: str) -> list[EngineSpec]:
    specs = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        head, _, layout = part.partition("@")
        head, *plus = head.split("+")
        name, _, compute = head.partition(":")
        jobs = threads = batch_size = None
        levers = []
        for lever in plus:
            if lever.startswith("batch") and lever[5:].isdigit():
                batch_size = int(lever[5:])
            else:
                _lever_arguments(lever)  # refuses an unknown lever
                levers.append(lever)
        if layout:
            jobs_text, _, threads_text = layout.partition("x")
            jobs, threads = int(jobs_text), int(threads_text or 1)
        try:
            specs.append(EngineSpec(EngineName(name), compute or None, jobs, threads, batch_size,
                                    tuple(levers)))
        except ValueError:
            raise argparse.ArgumentTypeError(f"unknown engine {name!r}") from None
    if not specs:
        raise argparse.ArgumentTypeError("name at least one engine")
    return specs


_SWITCH_LEVERS = {"no-words": ["--no-word-timestamps"], "no-loop-retry": ["--no-loop-retry"],
                  "no-vad": ["--no-vad"]}


def _lever_arguments(lever: str) -> list[str]:
    """The command-line options of one +LEVER of an engine spec."""
    if lever in _SWITCH_LEVERS:
        return _SWITCH_LEVERS[lever]
    if lever.startswith("beam") and lever[4:].isdigit() and int(lever[4:]) > 0:
        return ["--beam-size", lever[4:]]
    known = ", ".join(["batchN", "beamN", *_SWITCH_LEVERS])
    raise argparse.ArgumentTypeError(f"unknown lever +{lever}: use {known}")


def _threshold(text: str) -> float | None:
    return None if text.strip().lower() == "none" else float(text)


def _temperatures(text: str) -> tuple[float, ...]:
    values = tuple(float(part) for part in text.split(",") if part.strip())
    if not values:
        raise argparse.ArgumentTypeError("give at least one temperature")
    return values


def options_for(
    args: argparse.Namespace, language: str, agent_name: str | None = None
) -> TranscribeOptions:
    """What the worker would use for this call, with the command-line overrides."""
    settings = load_settings().with_overrides(
        whisper_prompt=args.prompt, vocabulary=args.vocabulary, hint_agent_name=args.agent_hint,
        engine=args.engine)
    overrides: dict[str, Any] = {"beam_size": args.beam_size}
    if args.no_speech_threshold is not _DEFAULT:
        overrides["no_speech_threshold"] = args.no_speech_threshold
    if args.temperatures is not None:
        overrides["temperatures"] = args.temperatures
    if args.vad is not None:
        overrides["vad_filter"] = args.vad
    if args.loop_retry is False:
        overrides["loop_compression_ratio"] = None
    if args.word_timestamps is not None:
        overrides["word_timestamps"] = args.word_timestamps
    return replace(transcribe_options(settings, language, agent_name), **overrides)


# --- corpus -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusCall:
    id: str
    language: str
    layout: str
    path: Path
    duration: float
    turns: tuple[Utterance, ...]  # the reference: what was said, by whom, when
    agent_name: str | None = None
    entry: ManifestEntry | None = None  # for scoring the transcript


def load_corpus(corpus: Path, language: str | None, limit: int | None) -> list[CorpusCall]:
    entries = read_manifest_entries(corpus / "manifest.jsonl")
    _EXPECT.update({entry.call_id: entry.expect for entry in entries})
    calls = [_corpus_call(entry) for entry in entries]
    if language:
        calls = [call for call in calls if call.language == language]
    return calls[:limit] if limit is not None else calls


def _corpus_call(entry: ManifestEntry) -> CorpusCall:
    reference = entry.reference_transcript()
    return CorpusCall(
        id=entry.call_id, language=reference.language,
        layout=entry.metadata.layout or load_settings().default_layout,
        path=entry.recording, duration=reference.duration, turns=tuple(reference.utterances),
        agent_name=entry.metadata.agent_name, entry=entry,
    )


# --- transcription ----------------------------------------------------------------------


Track = tuple[Speaker, int, np.ndarray]


@dataclass(frozen=True)
class Engine:
    """The loaded model: one, two for --parallel-channels, or one per job with --jobs."""

    replicas: list[Transcriber]
    parallel_channels: bool
    load_s: float

    def transcribe(
        self, tracks: list[Track], duration: float, options: TranscribeOptions, replica: int = 0
    ) -> Transcript:
        if self.parallel_channels:
            return _transcribe_parallel(tracks, duration, self.replicas, options)
        return transcribe_channels(tracks, duration, self.replicas[replica], options)


def load_engine(args: argparse.Namespace) -> Engine:
    settings = load_settings().with_overrides(
        compute_type=args.compute_type, cpu_threads=args.cpu_threads, engine=args.engine,
        batch_size=args.batch_size,
    )
    count = 2 if args.parallel_channels else args.jobs
    started = time.perf_counter()
    replicas = [load_transcriber(settings)] if count == 1 else _replicas(settings, count)
    return Engine(replicas, args.parallel_channels, time.perf_counter() - started)


def _replicas(settings: Settings, count: int) -> list[Transcriber]:
    """Independent models (the product caches one per configuration, so build them here)."""
    if settings.engine == EngineName.OPENAI_WHISPER:
        from callqa.qa.openai_whisper import OpenAIWhisperTranscriber, resolve_checkpoint

        checkpoint = resolve_checkpoint(settings.whisper_model, settings.model_cache_dir)
        return [OpenAIWhisperTranscriber(checkpoint, settings.cpu_threads) for _ in range(count)]
    model_path = resolve_model(settings.whisper_model, settings.model_cache_dir)
    compute_type = ("int8" if settings.compute_type == DEFAULT_COMPUTE_TYPE
                    else settings.compute_type)
    if settings.batch_size:
        return [BatchedTranscriber(model_path, compute_type, settings.cpu_threads,
                                   settings.batch_size) for _ in range(count)]
    return [
        FasterWhisperTranscriber(model_path, compute_type, settings.cpu_threads)
        for _ in range(count)
    ]


def _transcribe_parallel(
    tracks: list[Track],
    duration: float,
    replicas: list[Transcriber],
    options: TranscribeOptions,
) -> Transcript:
    """Each track on its own replica in its own thread, merged as transcribe_channels does."""
    with ThreadPoolExecutor(max_workers=len(replicas)) as pool:
        parts = list(pool.map(
            lambda item: transcribe_channels([item[0]], duration, item[1], options),
            zip(tracks, replicas, strict=False),
        ))
    utterances = sorted((u for part in parts for u in part.utterances),
                        key=lambda u: (u.start, u.end))
    return Transcript(
        language=options.language, duration=duration, utterances=utterances,
        speakers_known=all(part.speakers_known for part in parts),
    )


# --- scoring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DroppedTurn:
    call: str
    speaker: str
    start: float
    end: float
    text: str


@dataclass
class CallResult:
    id: str
    language: str
    layout: str
    audio_s: float
    decode_s: float
    transcribe_s: float
    score: CallScore
    reference_turns: dict[str, int]  # per role
    transcript: Transcript | None = None
    verdicts: dict[str, Any] = field(default_factory=dict)  # checklist items, hold, FCR

    @property
    def wer(self) -> dict[str, WerResult]:
        return self.score.wer

    @property
    def dropped(self) -> list[DroppedTurn]:
        return self.score.dropped


@dataclass(frozen=True)
class CallScore:
    wer: dict[str, WerResult]  # "agent", "customer", or "mixed" for mono calls
    dropped: list[DroppedTurn]  # with the slack
    dropped_strict: int  # no slack: no word overlaps the turn at all
    hypothesis: dict[str, str]


def measure_call(call: CorpusCall, transcript: Transcript, slack: float) -> CallScore:
    """WER per track (agent, customer, or mixed) and the reference turns nothing covers."""
    tracks = _track_pairs(call, transcript)
    wer = {
        name: word_error_rate([_text(refs)], [_hyp_text(hyps)], call.language)
        for name, (refs, hyps) in tracks.items()
    }
    return CallScore(
        wer=wer,
        dropped=[
            DroppedTurn(call.id, turn.speaker, turn.start, turn.end, turn.text)
            for turn, hyps in _turns_with_hypotheses(tracks)
            if not _covered(turn, hyps, slack)
        ],
        dropped_strict=sum(
            not _covered(turn, hyps, 0.0) for turn, hyps in _turns_with_hypotheses(tracks)
        ),
        hypothesis={name: _hyp_text(hyps) for name, (_, hyps) in tracks.items()},
    )


def _turns_with_hypotheses(
    tracks: dict[str, tuple[list[Utterance], list[Utterance]]],
) -> Iterator[tuple[Utterance, list[Utterance]]]:
    for refs, hyps in tracks.values():
        for turn in refs:
            yield turn, hyps


def _track_pairs(
    call: CorpusCall, transcript: Transcript
) -> dict[str, tuple[list[Utterance], list[Utterance]]]:
    if call.layout == "mono":
        return {"mixed": (list(call.turns), list(transcript.utterances))}
    return {
        role: (
            [t for t in call.turns if t.speaker == role],
            [u for u in transcript.utterances if u.speaker.value == role],
        )
        for role in ROLES
    }


def _text(turns: Iterable[Utterance]) -> str:
    return " ".join(t.text for t in sorted(turns, key=lambda t: t.start))


def _hyp_text(utterances: Iterable[Utterance]) -> str:
    return " ".join(u.text for u in sorted(utterances, key=lambda u: (u.start, u.end)))


def _covered(turn: Utterance, utterances: Iterable[Utterance], slack: float) -> bool:
    """Some hypothesis word (or word-less utterance) overlaps the turn's time span."""
    start, end = turn.start - slack, turn.end + slack
    return any(
        span_start < end and span_end > start
        for utterance in utterances
        for span_start, span_end in _word_spans(utterance)
    )


def _word_spans(utterance: Utterance) -> list[tuple[float, float]]:
    if not utterance.text:
        return []
    spans = [(w.start, w.end) for w in utterance.words if w.text]
    return spans or [(utterance.start, utterance.end)]


# --- running ----------------------------------------------------------------------------


@dataclass
class NoSpeechCheck:
    file: str
    language: str
    segments: int
    text: str


@dataclass
class BenchResult:
    config: dict[str, Any]
    calls: list[CallResult]
    model_load_s: float
    wall_s: float
    cpu_s: float
    other_cpu_s: float | None  # CPU seconds other processes used meanwhile (contention)
    peak_mb: float
    load_average: tuple[float, float]  # 1-minute load average before and after the run
    no_speech: list[NoSpeechCheck] = field(default_factory=list)
    windows: int | None = None  # 30 s windows the batched engine encoded for the calls


def run(args: argparse.Namespace) -> BenchResult:
    calls = load_corpus(args.corpus, args.language, args.calls)
    if not calls:
        raise SystemExit(f"no calls selected from {args.corpus}")
    engine = load_engine(args)
    load_before = os.getloadavg()[0]
    busy_started = _machine_busy_seconds()
    cpu_started, wall_started = _cpu_seconds(), time.perf_counter()
    results = _run_calls(calls, engine, args)
    wall_s, cpu_s = time.perf_counter() - wall_started, _cpu_seconds() - cpu_started
    _add_verdicts(calls, results)
    busy_s = _machine_busy_seconds() - busy_started
    load_after = os.getloadavg()[0]
    windows = [r.windows for r in engine.replicas if isinstance(r, BatchedTranscriber)]
    no_speech = [] if args.skip_no_speech_check else _no_speech_checks(args, engine)
    return BenchResult(
        config=_config(args), calls=results, model_load_s=engine.load_s, wall_s=wall_s,
        cpu_s=cpu_s, other_cpu_s=max(0.0, busy_s - cpu_s) if busy_s >= 0 else None,
        peak_mb=_peak_mb(), load_average=(load_before, load_after),
        no_speech=no_speech, windows=sum(windows) if windows else None,
    )


def _add_verdicts(calls: list[CorpusCall], results: list[CallResult]) -> None:
    """Each call's checklist, hold and FCR verdicts from its transcript, as `callqa eval`
    scores them (FCR judges the calls together, as one customer's stored calls are)."""
    settings = load_settings()
    rules = rules_for(settings)
    scored = [assess_entry(call.entry, result.transcript, rules)
              for call, result in zip(calls, results, strict=True)
              if call.entry is not None and result.transcript is not None]
    if len(scored) != len(results):
        return
    predictors = fcr_predictors(scored, rules.fcr, settings.phone_country_code)
    for result, call in zip(results, scored, strict=True):
        result.verdicts = {name: prediction.value
                           for name, prediction in predictions_for(call, predictors).items()}


def _run_calls(
    calls: list[CorpusCall], engine: Engine, args: argparse.Namespace
) -> list[CallResult]:
    """One call after another, or --jobs calls at a time, each on its own replica."""
    if args.jobs == 1:
        return [_run_call(call, engine, 0, args) for call in calls]
    free: queue.Queue[int] = queue.Queue()
    for replica in range(args.jobs):
        free.put(replica)

    def work(call: CorpusCall) -> CallResult:
        replica = free.get()
        try:
            return _run_call(call, engine, replica, args)
        finally:
            free.put(replica)

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        return list(pool.map(work, calls))


def _run_call(
    call: CorpusCall, engine: Engine, replica: int, args: argparse.Namespace
) -> CallResult:
    started = time.perf_counter()
    audio = decode_audio(call.path)
    decoded = time.perf_counter()
    tracks = call_tracks(audio.channels, audio.mixed, call.layout)
    options = options_for(args, call.language, call.agent_name)
    transcript = engine.transcribe(tracks, audio.duration, options, replica)
    finished = time.perf_counter()
    result = CallResult(
        id=call.id, language=call.language, layout=call.layout, audio_s=audio.duration,
        decode_s=decoded - started, transcribe_s=finished - decoded,
        score=measure_call(call, transcript, args.slack),
        reference_turns={role: sum(t.speaker == role for t in call.turns) for role in ROLES},
        transcript=transcript,
    )
    if not args.quiet:
        _progress(result)
    return result


def _progress(result: CallResult) -> None:
    total = sum(result.wer.values(), EMPTY)
    elapsed = result.decode_s + result.transcribe_s
    print(
        f"{result.id} {result.language} {result.layout:11} {result.audio_s:6.1f}s audio"
        f" {elapsed:6.1f}s wall  RTF {elapsed / result.audio_s:.3f}  WER {total.wer:.3f}"
        f"  dropped {len(result.dropped)}",
        file=sys.stderr, flush=True,
    )


def _no_speech_checks(args: argparse.Namespace, engine: Engine) -> list[NoSpeechCheck]:
    """Silence and noise must come back with no segments at all."""
    checks = []
    for name in NO_SPEECH_FILES:
        audio = decode_audio(args.corpus / name)
        tracks = call_tracks(audio.channels, audio.mixed, "mono")
        for language in ("pl", "en"):
            transcript = engine.transcribe(tracks, audio.duration, options_for(args, language))
            text = " ".join(u.text for u in transcript.utterances)
            checks.append(NoSpeechCheck(name, language, len(transcript.utterances), text))
    return checks


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _machine_busy_seconds() -> float:
    """Non-idle CPU seconds of the whole machine since boot (Linux), or -1 if unknown."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return -1.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # Linux reports kilobytes


def _config(args: argparse.Namespace) -> dict[str, Any]:
    options = asdict(options_for(args, "-"))
    del options["language"]
    options.pop("initial_prompt", None)  # depends on the language: report the setting
    options.pop("hotwords", None)  # depends on the call: report the settings
    return {
        **options,
        "prompt": args.prompt,
        "vocabulary": args.vocabulary,
        "agent_hint": args.agent_hint,
        "engine": str(args.engine),
        "compute_type": args.compute_type,
        "cpu_threads": args.cpu_threads or os.cpu_count(),
        "batch_size": args.batch_size,
        "parallel_channels": args.parallel_channels,
        "jobs": args.jobs,
        "dropped_turn_slack_s": args.slack,
        "cores": os.cpu_count(),
    }


# --- report -----------------------------------------------------------------------------


def summary(result: BenchResult) -> dict[str, Any]:
    audio_s = sum(c.audio_s for c in result.calls)
    decode_s = sum(c.decode_s for c in result.calls)
    dropped = [d for c in result.calls for d in c.dropped]
    ref_turns = _reference_turn_counts(result.calls)
    return {
        "config": result.config,
        "calls": len(result.calls),
        "model_load_s": round(result.model_load_s, 2),
        "audio_s": round(audio_s, 1),
        "wall_s": round(result.wall_s, 1),
        "decode_s": round(decode_s, 2),
        "transcribe_s": round(sum(c.transcribe_s for c in result.calls), 1),
        "cpu_s": round(result.cpu_s, 1),
        "other_processes_cpu_s": (
            None if result.other_cpu_s is None else round(result.other_cpu_s, 1)
        ),
        "rtf": round(result.wall_s / audio_s, 4),
        "audio_min_per_cpu_min": round(audio_s / result.cpu_s, 2),
        "peak_mb": round(result.peak_mb, 1),
        "windows": result.windows,
        "load_average_1m": [round(x, 2) for x in result.load_average],
        "wer": _wer_table(result.calls),
        "reference_turns": ref_turns,
        "dropped_turns": {
            "slack_s": result.config["dropped_turn_slack_s"],
            "total": len(dropped),
            "strict": sum(c.score.dropped_strict for c in result.calls),
            **{role: sum(d.speaker == role for d in dropped) for role in ROLES},
            "list": [asdict(d) for d in dropped],
        },
        "no_speech_check": {
            "passed": all(check.segments == 0 for check in result.no_speech),
            "files": [asdict(check) for check in result.no_speech],
        } if result.no_speech else None,
        "per_call": [_call_summary(c) for c in result.calls],
    }


def _wer_table(calls: list[CallResult]) -> dict[str, dict[str, float | int]]:
    groups: dict[str, WerResult] = {}
    for call in calls:
        for track, wer in call.wer.items():
            for key in ("overall", call.language, track):
                groups[key] = groups.get(key, EMPTY) + wer
    order = ["overall", "pl", "en", "agent", "customer", "mixed"]
    return {key: _wer_dict(groups[key]) for key in order if key in groups}


def _wer_dict(wer: WerResult) -> dict[str, float | int]:
    return {
        "wer": round(wer.wer, 4), "errors": wer.errors, "reference_words": wer.reference_words,
        "substitutions": wer.substitutions, "deletions": wer.deletions,
        "insertions": wer.insertions,
    }


def _reference_turn_counts(calls: list[CallResult]) -> dict[str, int]:
    counts = {"total": 0, **dict.fromkeys(ROLES, 0)}
    for call in calls:
        for role, count in call.reference_turns.items():
            counts[role] += count
            counts["total"] += count
    return counts


def _call_summary(call: CallResult) -> dict[str, Any]:
    total = sum(call.wer.values(), EMPTY)
    return {
        "id": call.id, "language": call.language, "layout": call.layout,
        "audio_s": round(call.audio_s, 2), "decode_s": round(call.decode_s, 3),
        "transcribe_s": round(call.transcribe_s, 2),
        "wer": round(total.wer, 4), "dropped_turns": len(call.dropped),
        "verdicts": call.verdicts,
        "expect": call_expect(call.id),
    }


_EXPECT: dict[str, dict[str, Any]] = {}


def call_expect(call_id: str) -> dict[str, Any]:
    return _EXPECT.get(call_id, {})


def print_report(report: dict[str, Any]) -> None:
    config = report["config"]
    print("configuration: " + ", ".join(f"{k}={v}" for k, v in config.items()))
    print(f"calls: {report['calls']}  audio: {report['audio_s']:.1f} s"
          f"  model load: {report['model_load_s']:.2f} s")
    print(f"wall: {report['wall_s']:.1f} s (decode {report['decode_s']:.2f} s)"
          f"  CPU: {report['cpu_s']:.1f} s")
    print(f"other processes meanwhile: {report['other_processes_cpu_s']} CPU s"
          f"  (1-min load average before/after {report['load_average_1m']})")
    print(f"real-time factor: {report['rtf']:.3f}"
          f"  audio min per CPU min: {report['audio_min_per_cpu_min']:.2f}"
          f"  peak memory: {report['peak_mb']:.0f} MB")
    if report.get("windows") is not None:
        print(f"30 s windows encoded (batched): {report['windows']}")
    print("word error rate:")
    for key, wer in report["wer"].items():
        print(f"  {key:9} {wer['wer']:.3f}  ({wer['errors']} errors / "
              f"{wer['reference_words']} words: S {wer['substitutions']}"
              f" D {wer['deletions']} I {wer['insertions']})")
    dropped = report["dropped_turns"]
    print(f"dropped turns: {dropped['total']} (agent {dropped['agent']},"
          f" customer {dropped['customer']}; {dropped['slack_s']} s slack;"
          f" {dropped['strict']} with strict overlap) of {report['reference_turns']['total']}")
    for turn in dropped["list"]:
        print(f"  {turn['call']} {turn['speaker']:8} {turn['start']:6.2f}-{turn['end']:6.2f}"
              f"  {turn['text']}")
    _print_no_speech(report["no_speech_check"])


def _print_no_speech(check: dict[str, Any] | None) -> None:
    if check is None:
        print("silence/noise check: skipped")
        return
    print(f"silence/noise check: {'PASS' if check['passed'] else 'FAIL'}")
    for item in check["files"]:
        print(f"  {item['file']} ({item['language']}): {item['segments']} segments"
              f" {item['text']!r}")


def write_dump(path: Path, result: BenchResult) -> None:
    with path.open("w", encoding="utf-8") as out:
        for call in result.calls:
            record = {
                "id": call.id, "hypothesis": call.score.hypothesis,
                "wer": {k: _wer_dict(v) for k, v in call.wer.items()},
                "dropped": [asdict(d) for d in call.dropped],
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def compare_engines(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Each engine in its own process, one after another, then the comparison table."""
    forwarded = _without_engines(list(argv))
    reports = []
    for spec in args.engines:
        command = [sys.executable, __file__, *forwarded, *spec.arguments(), "--json"]
        print(f"== {spec.label}: {' '.join(command[2:])}", file=sys.stderr, flush=True)
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=True)
        report = json.loads(done.stdout.strip().splitlines()[-1])
        reports.append((spec.label, report))
        if args.reports:  # each engine's report kept as soon as it is in
            args.reports.mkdir(parents=True, exist_ok=True)
            (args.reports / f"{spec.label}.json").write_text(json.dumps(report))
    for label, report in reports:
        print(f"\n== {label}")
        print_report(report)
    print()
    print_comparison(reports)
    return 0


def _without_engines(argv: list[str]) -> list[str]:
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--engines", "--reports"):
            skip = True
        elif not arg.startswith(("--engines=", "--reports=")) and arg != "--json":
            out.append(arg)
    return out


def print_comparison(reports: list[tuple[str, dict[str, Any]]]) -> None:
    """One row per engine; verdicts compared with the first engine's and with the truth."""
    base = {c["id"]: c["verdicts"] for c in reports[0][1]["per_call"]}
    print("| engine | x real time (machine) | audio min / CPU min | peak MB | WER all | en | pl |"
          " agent | customer | turns lost | verdicts = first row | en verdicts right |"
          " other CPU s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, report in reports:
        wer = report["wer"]
        same = total = right = en_total = 0
        for call in report["per_call"]:
            for item, value in call["verdicts"].items():
                if item in base.get(call["id"], {}):
                    total += 1
                    same += base[call["id"]][item] == value
                if call["language"] == "en" and item in call["expect"]:
                    en_total += 1
                    right += call["expect"][item] == value
        cells = [label, f"{report['rtf']:.3f}", f"{report['audio_min_per_cpu_min']:.2f}",
                 f"{report['peak_mb']:.0f}",
                 *(f"{wer[k]['wer']:.3f}" if k in wer else "-"
                   for k in ("overall", "en", "pl", "agent", "customer")),
                 str(report["dropped_turns"]["total"]), f"{same}/{total}", f"{right}/{en_total}",
                 str(report["other_processes_cpu_s"])]
        print("| " + " | ".join(cells) + " |")


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    if args.engines:
        return compare_engines(args, argv)
    result = run(args)
    report = summary(result)
    if args.dump:
        write_dump(args.dump, result)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
