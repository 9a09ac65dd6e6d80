"""A second hearing where the checklist found nothing: the item's window decoded again alone.

The whole-call pass decodes 30 s windows that rarely line up with a call's opening or close,
and on telephone audio it mishears or skips them ("Don't have to lose" for "Good afternoon";
19 s of a Polish opening with no words at all). When a required item's phrases are not found
in its window, that stretch of the party's track is decoded again on its own, with the call's
hints, and the more confident of the two hearings is kept: the one whose words the recognizer
gave the higher mean probability. Which words either hearing wrote never decides it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from callqa.qa.scoring import ScoringContext, Verdict, score_transcript
from callqa.qa.scoring.results import ItemResult
from callqa.qa.scoring.scorecard import Item, Scorecard
from callqa.qa.transcript import Speaker, Transcript, Utterance
from callqa.qa.transcription import Segment, TranscribeOptions, Transcriber, transcribe_stretch

__all__ = ["Relistened", "SecondLookOptions", "second_look"]

_REGIONS = ("opening", "closing")  # 'anywhere' items would mean decoding the call again


@dataclass(frozen=True)
class SecondLookOptions:
    """When and how an item's window is heard again.

    `enabled`: off, the whole-call pass alone decides.
    `margin_s`: audio kept either side of the window, so no word is cut at its edges.
    `max_window_s`: a longer stretch is not decoded again.
    `max_share`: nor one holding more than this share of the recording: decoded alone it
    would be heard as in the first pass.
    """

    enabled: bool = True
    margin_s: float = 0.5
    max_window_s: float = 60.0
    max_share: float = 0.8


@dataclass(frozen=True)
class Relistened:
    """One stretch heard again, and which hearing was kept."""

    channel: int
    speaker: Speaker
    start: float
    end: float
    items: tuple[str, ...]  # the items whose windows it covers
    first: float | None  # mean word probability of the whole-call pass there (None: no words)
    second: float | None  # of the second decode
    kept_second: bool


Track = tuple[Speaker, int, np.ndarray]


def second_look(
    transcript: Transcript,
    tracks: Sequence[Track],
    transcriber: Transcriber,
    options: TranscribeOptions,
    scorecard: Scorecard,
    context: ScoringContext | None = None,
    look: SecondLookOptions | None = None,
    on_segment: Callable[[Segment], None] | None = None,
) -> tuple[Transcript, list[Relistened]]:
    """The transcript with each unfound item's window heard again where that was clearer."""
    look = look or SecondLookOptions()
    if not look.enabled or not transcript.utterances:
        return transcript, []
    result = score_transcript(transcript, scorecard, context)
    stretches = _stretches(transcript, tracks, scorecard, result.items, look)
    heard: list[Relistened] = []
    for (speaker, channel, audio), start, end, items in stretches:
        again = transcribe_stretch(audio, start, end, speaker, channel, transcriber, options,
                                   on_segment)
        transcript, relistened = _keep_clearer(transcript, channel, speaker, start, end, items,
                                               again)
        heard.append(relistened)
    return transcript, heard


def _stretches(
    transcript: Transcript, tracks: Sequence[Track], scorecard: Scorecard,
    results: Iterable[ItemResult], look: SecondLookOptions,
) -> list[tuple[Track, float, float, tuple[str, ...]]]:
    """Each unfound item's window on its track, shortest first; items with the same window
    share one decode. A window holding (nearly) the whole track would only repeat the first
    pass, so it is left out."""
    by_speaker = {speaker: (speaker, channel, audio) for speaker, channel, audio in tracks}
    windows: dict[tuple[int, float, float], list[str]] = {}
    chosen: dict[int, Track] = {}
    for result in results:
        item = scorecard.item(result.item_id)
        track = _track_for(item, by_speaker)
        if track is None or not _unfound(item, result):
            continue
        start, end = _window(transcript, item, result, track[1], look)
        if 0 < end - start <= min(look.max_window_s, look.max_share * transcript.duration):
            windows.setdefault((track[1], start, end), []).append(item.id)
            chosen[track[1]] = track
    ordered = sorted(windows.items(), key=lambda entry: entry[0][2] - entry[0][1])
    return [(chosen[channel], start, end, tuple(items))
            for (channel, start, end), items in ordered]


def _track_for(item: Item, by_speaker: dict[Speaker, Track]) -> Track | None:
    if item.speaker != "agent":
        return None
    return by_speaker.get(Speaker.AGENT) or by_speaker.get(Speaker.UNKNOWN)


def _unfound(item: Item, result: ItemResult) -> bool:
    """A required item of a bounded window whose phrases were not found: failed, or in review
    for the recognizer's sake (a near miss, an unclear window), not for a mono speaker."""
    if item.kind != "required" or item.where.region not in _REGIONS:
        return False
    if result.verdict is Verdict.FAILED:
        return True
    return result.verdict is Verdict.REVIEW and not any(
        e.counted for e in result.evidence)


def _window(
    transcript: Transcript, item: Item, result: ItemResult, channel: int,
    look: SecondLookOptions,
) -> tuple[float, float]:
    """The item's window on the timeline, widened to whole utterances of the channel; a
    closing runs to the end of the recording (the last words may be the ones unheard)."""
    looked_in = result.looked_in
    duration = transcript.duration
    if looked_in is None:
        return 0.0, 0.0
    start, end = looked_in.start, looked_in.end
    if item.where.region == "closing":
        end = duration
    for u in transcript.utterances:
        if u.channel == channel and u.start < end and start < u.end:
            start, end = min(start, u.start), max(end, u.end)
    return max(0.0, start - look.margin_s), min(duration, end + look.margin_s)


def _keep_clearer(
    transcript: Transcript, channel: int, speaker: Speaker, start: float, end: float,
    items: tuple[str, ...], again: list[Utterance],
) -> tuple[Transcript, Relistened]:
    inside = [u for u in transcript.utterances
              if u.channel == channel and start <= u.start and u.end <= end]
    first, second = _mean_probability(inside), _mean_probability(again)
    keep = second is not None and (first is None or second > first)
    relistened = Relistened(channel, speaker, round(start, 3), round(end, 3), items, first,
                            second, keep)
    if not keep:
        return transcript, relistened
    kept = [u for u in transcript.utterances if not any(u is old for old in inside)]
    utterances = sorted([*kept, *again], key=lambda u: (u.start, u.end))
    return replace(transcript, utterances=utterances), relistened


def _mean_probability(utterances: Iterable[Utterance]) -> float | None:
    words = [word for u in utterances for word in u.words]
    if not words:
        return None
    return round(float(sum(word.probability for word in words)) / len(words), 3)
