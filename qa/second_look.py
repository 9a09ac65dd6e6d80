"""A second hearing where the checklist found nothing: the item's window decoded again alone.

The whole-call pass decodes 30 s windows that rarely line up with a call's opening or close,
and on telephone audio it mishears or skips them ("Don't have to lose" for "Good afternoon";
19 s of a Polish opening with no words at all). When a required item's phrases are not found
in its window, that stretch of the party's track is decoded again on its own, with the call's
hints, and the clearer of the two hearings is kept: the one that turned more of the speech the
voice detector found there into words the recognizer was sure of. Which words either hearing
wrote never decides it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from callqa.qa.scoring import ScoringContext, Verdict, score_transcript
from callqa.qa.scoring.call import AnalyzedCall
from callqa.qa.scoring.checklist import normalize_language
from callqa.qa.scoring.pipelines import analyzer
from callqa.qa.scoring.results import ItemResult, ScorecardResult
from callqa.qa.scoring.scorecard import Item, Scorecard
from callqa.qa.transcript import Speaker, Transcript, Unheard, Utterance
from callqa.qa.transcription import (
    SAMPLE_RATE,
    Samples,
    Segment,
    TranscribeOptions,
    Transcriber,
    speech_spans,
    transcribe_stretch,
)

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
    `word_reach_s`: speech this close to a recognized word counts as heard.
    `min_unheard_s`: shorter stretches of speech without words are not recorded.
    `drowning_db`: where the voice detector hears no speech, a track this close to (or above)
    the level of the party's own recognized words in the stretch is noise that can hide
    speech: at a signal-to-noise ratio of 6 dB or less speech recognizers, and voice
    detectors, lose most words, so such noise is recorded as unheard rather than as silence.
    None: not looked for.
    """

    enabled: bool = True
    margin_s: float = 0.5
    max_window_s: float = 60.0
    max_share: float = 0.8
    word_reach_s: float = 0.5
    min_unheard_s: float = 1.0
    drowning_db: float | None = 6.0


@dataclass(frozen=True)
class Relistened:
    """One stretch heard again, and which hearing was kept."""

    channel: int
    speaker: Speaker
    start: float
    end: float
    items: tuple[str, ...]  # the items whose windows it covers
    first: float | None  # clarity of the whole-call pass there (see _clarity; None: no words)
    second: float | None  # of the second decode
    kept_second: bool


Track = tuple[Speaker, int, Samples]  # a long recording's tracks hold their edges only


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
    found = _found(result)
    heard: list[Relistened] = []
    for (speaker, channel, audio), start, end, items in stretches:
        clip = audio[int(start * SAMPLE_RATE):int(np.ceil(end * SAMPLE_RATE))]
        speech = speech_spans(clip, offset=start)
        again = transcribe_stretch(audio, start, end, speaker, channel, transcriber, options,
                                   on_segment)
        transcript, found, relistened = _keep_clearer(
            transcript, found, channel, speaker, start, end, items, again, speech, scorecard,
            context)
        heard.append(relistened)
        transcript = _note_unheard(transcript, speech, speaker, channel, start, end, look)
        transcript = _note_drowned(transcript, clip, speech, speaker, channel, start, end, look)
    return transcript, heard


def _note_unheard(
    transcript: Transcript, speech: list[tuple[float, float]], speaker: Speaker, channel: int,
    start: float, end: float, look: SecondLookOptions,
) -> Transcript:
    """Records the window's speech that the kept hearing did not turn into words."""
    reach = look.word_reach_s
    heard = sorted((w.start - reach, w.end + reach) for u in transcript.utterances
                   if u.channel == channel for w in (u.words or ()))
    found = []
    for speech_start, speech_end in speech:
        for piece in _minus(speech_start, speech_end, heard):
            if piece[1] - piece[0] >= look.min_unheard_s:
                found.append(Unheard(speaker, channel, round(piece[0], 2), round(piece[1], 2)))
    known = [u for u in transcript.unheard
             if not (u.channel == channel and start <= u.start and u.end <= end)]
    return replace(transcript, unheard=tuple(sorted([*known, *found],
                                                    key=lambda u: (u.start, u.channel or 0))))


_FRAME_S = 0.5  # the stretch's loudness is measured in frames this long


def _note_drowned(
    transcript: Transcript, clip: np.ndarray, speech: list[tuple[float, float]],
    speaker: Speaker, channel: int, start: float, end: float, look: SecondLookOptions,
) -> Transcript:
    """Records where, outside detected speech and recognized words, the track is as loud as
    the party's own recognized words in the stretch (without any, there is no measure)."""
    if look.drowning_db is None:
        return transcript
    reach = look.word_reach_s
    words = [(w.start, w.end) for u in transcript.utterances if u.channel == channel
             for w in (u.words or ()) if start <= w.start and w.end <= end]
    speech_level = _level_db(clip, start, words)
    if speech_level is None:
        return transcript
    covered = sorted([*speech, *((a - reach, b + reach) for a, b in words)])
    loud: list[tuple[float, float]] = []
    frame = start
    while frame + _FRAME_S <= end:
        level = _level_db(clip, start, [(frame, frame + _FRAME_S)])
        outside = _minus(frame, frame + _FRAME_S, covered) == [(frame, frame + _FRAME_S)]
        if outside and level is not None and level >= speech_level - look.drowning_db:
            if loud and abs(loud[-1][1] - frame) < 1e-6:
                loud[-1] = (loud[-1][0], frame + _FRAME_S)
            else:
                loud.append((frame, frame + _FRAME_S))
        frame += _FRAME_S
    found = [Unheard(speaker, channel, round(a, 2), round(b, 2), drowned=True)
             for a, b in loud if b - a >= look.min_unheard_s]
    if not found:
        return transcript
    return replace(transcript, unheard=tuple(sorted([*transcript.unheard, *found],
                                                    key=lambda u: (u.start, u.channel or 0))))


def _level_db(clip: np.ndarray, clip_start: float, spans: list[tuple[float, float]]
              ) -> float | None:
    """The mean power, in dB, of the clip's samples within spans (times in the call's s)."""
    parts = [clip[max(0, int((a - clip_start) * SAMPLE_RATE)):
                  max(0, int((b - clip_start) * SAMPLE_RATE))] for a, b in spans]
    samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    if samples.size == 0:
        return None
    power = float(np.mean(np.square(samples, dtype=np.float64)))
    return 10 * np.log10(power) if power > 0 else None


def _minus(start: float, end: float, covered: list[tuple[float, float]]
           ) -> list[tuple[float, float]]:
    """The parts of start-end outside the (sorted) covered spans."""
    pieces, cursor = [], start
    for cover_start, cover_end in covered:
        if cover_end <= cursor or cover_start >= end:
            continue
        if cover_start > cursor:
            pieces.append((cursor, cover_start))
        cursor = max(cursor, cover_end)
    if cursor < end:
        pieces.append((cursor, end))
    return pieces


def _stretches(
    transcript: Transcript, tracks: Sequence[Track], scorecard: Scorecard,
    results: Iterable[ItemResult], look: SecondLookOptions,
) -> list[tuple[Track, float, float, tuple[str, ...]]]:
    """Each unfound item's window on its track, shortest first; items with the same window
    share one decode. A window holding (nearly) the whole track would only repeat the first
    pass, so it is left out."""
    by_speaker = {speaker: (speaker, channel, audio) for speaker, channel, audio in tracks}
    call = AnalyzedCall(transcript, analyzer(normalize_language(transcript.language)))
    windows: dict[tuple[int, float, float], list[str]] = {}
    chosen: dict[int, Track] = {}
    for result in results:
        item = scorecard.item(result.item_id)
        track = _track_for(item, by_speaker)
        if track is None or not _unfound(item, result):
            continue
        start, end = _window(transcript, call, item, result, track[1], look)
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
    transcript: Transcript, call: AnalyzedCall, item: Item, result: ItemResult, channel: int,
    look: SecondLookOptions,
) -> tuple[float, float]:
    """The stretch the item judged: from the start of the call to the end of the utterances it
    looked at (an opening), or from the first of them to the end of the recording (a closing:
    the last words may be the unheard ones). Where it found no utterance, its whole window,
    widened so that no utterance of the channel is cut."""
    looked_in = result.looked_in
    duration = transcript.duration
    if looked_in is None:
        return 0.0, 0.0
    looked_at = [u.utterance for u in call.select(item.speaker, item.where).utterances
                 if u.utterance.channel == channel]
    if item.where.region == "opening":
        start, end = 0.0, max((u.end for u in looked_at), default=looked_in.end)
    else:
        start, end = min((u.start for u in looked_at), default=looked_in.start), duration
    if not looked_at:
        for u in transcript.utterances:
            if u.channel == channel and u.start < end and start < u.end:
                start, end = min(start, u.start), max(end, u.end)
    return max(0.0, start - look.margin_s), min(duration, end + look.margin_s)


def _keep_clearer(
    transcript: Transcript, found: set[str], channel: int, speaker: Speaker, start: float,
    end: float, items: tuple[str, ...], again: list[Utterance],
    speech: list[tuple[float, float]], scorecard: Scorecard, context: ScoringContext | None,
) -> tuple[Transcript, set[str], Relistened]:
    """The second hearing replaces the first there if it is clearer and loses nothing the
    first found (`found`: the items with counted evidence): a phrase any item found (a pass,
    a forbidden phrase, a mono match) stays."""
    inside = [u for u in transcript.utterances
              if u.channel == channel and start <= u.start and u.end <= end]
    first, second = _clarity(inside, speech), _clarity(again, speech)
    revised = transcript
    if second is not None and (first is None or second > first):
        kept = [u for u in transcript.utterances if not any(u is old for old in inside)]
        utterances = sorted([*kept, *again], key=lambda u: (u.start, u.end))
        revised = replace(transcript, utterances=utterances)
        revised_found = _found(score_transcript(revised, scorecard, context))
        if found <= revised_found:
            found = revised_found
        else:
            revised = transcript
    relistened = Relistened(channel, speaker, round(start, 3), round(end, 3), items, first,
                            second, revised is not transcript)
    return revised, found, relistened


def _found(result: ScorecardResult) -> set[str]:
    """The items whose phrases were found (counted evidence)."""
    return {item.item_id for item in result.items if any(e.counted for e in item.evidence)}


def _clarity(utterances: Iterable[Utterance], speech: list[tuple[float, float]]) -> float | None:
    """How much of the stretch's speech a hearing turned into words, and how surely: the
    words' probabilities weighted by their seconds, over the seconds of speech the voice
    detector found (so speech left without words counts as unheard). Without detected speech,
    the words' mean probability. None: no words."""
    words = [word for u in utterances for word in u.words]
    if not words:
        return None
    speech_s = sum(end - start for start, end in speech)
    if speech_s <= 0:
        return round(float(sum(w.probability for w in words)) / len(words), 3)
    heard = sum(float(w.probability) * max(0.0, w.end - w.start) for w in words)
    return round(min(1.0, heard / speech_s), 3)
