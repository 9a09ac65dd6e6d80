"""A transcript prepared for checking: analyzed utterances, windows, and evidence from matches."""
from __future__ import annotations

from dataclasses import dataclass, field

from callqa.qa.scoring.matching import PhraseMatch
from callqa.qa.scoring.pipelines import Analyzer, TextToken
from callqa.qa.scoring.results import Evidence, LookedIn
from callqa.qa.scoring.scorecard import Window
from callqa.qa.transcript import Speaker, Transcript, Utterance, Word

TURN_PAUSE_S = 2.0
# Whisper's failure on audio it cannot follow: one phrase written again and again, each time
# with confident word probabilities. This many utterances in a row with the same words, nobody
# else's between them (a listener's "yes ... yes ... yes" has the other party's speech between),
# are taken for that, not for speech heard clearly.
REPEATS_HEARD_AS_LOOP = 3
NOTE_REGROUPED = "word_boundaries"  # the phrase's letters, split into words differently


@dataclass(frozen=True)
class ScoringContext:
    """What the call record knows beyond the transcript."""

    agent_name: str | None = None  # lets 'agent_name' items pass on the agent saying their name


@dataclass
class AnalyzedUtterance:
    index: int  # position in the transcript
    utterance: Utterance
    tokens: tuple[TextToken, ...]
    _word_spans: list[tuple[int, int, Word]] | None = field(default=None, repr=False)

    @property
    def speaker(self) -> Speaker:
        return self.utterance.speaker

    def evidence(self, match: PhraseMatch, counted: bool = True, note: str = "") -> Evidence:
        utterance = self.utterance
        first, last = self.tokens[match.start], self.tokens[match.stop - 1]
        words = self._words_between(first.start_char, last.end_char)
        start, end = (words[0].start, words[-1].end) if words else (utterance.start, utterance.end)
        probability = min((word.probability for word in words), default=1.0)
        return Evidence(
            utterance_index=self.index,
            speaker=str(utterance.speaker),
            start=round(start, 2),
            end=round(end, 2),
            utterance=utterance.text,
            matched=utterance.text[first.start_char : last.end_char],
            phrase=match.phrase.text,
            method=str(match.method),
            confidence=round(match.confidence * probability, 3),
            similarity=match.similarity if match.method == "fuzzy" else None,
            counted=counted,
            note=note or (NOTE_REGROUPED if match.regrouped else ""),
        )

    def word_probability(self, match: PhraseMatch) -> float:
        """How sure the recognizer was of the matched words: the least sure one (1 without
        word probabilities)."""
        first, last = self.tokens[match.start], self.tokens[match.stop - 1]
        words = self._words_between(first.start_char, last.end_char)
        return min((word.probability for word in words), default=1.0)

    def _words_between(self, start_char: int, end_char: int) -> list[Word]:
        return [
            word
            for word_start, word_end, word in self._aligned_words()
            if word_start < end_char and start_char < word_end
        ]

    def _aligned_words(self) -> list[tuple[int, int, Word]]:
        """Character spans of the recognizer's words inside the utterance text."""
        if self._word_spans is None:
            spans, cursor, text = [], 0, self.utterance.text
            for word in self.utterance.words:
                written = word.text.strip()
                found = text.find(written, cursor) if written else -1
                if found >= 0:
                    spans.append((found, found + len(written), word))
                    cursor = found + len(written)
            self._word_spans = spans
        return self._word_spans


@dataclass(frozen=True)
class Selection:
    """The utterances an item looks at, and a description of the window for explanations."""

    utterances: tuple[AnalyzedUtterance, ...]
    looked_in: LookedIn
    unheard_s: float = 0.0  # speech in the window that gave the recognizer no words
    drowned_s: float = 0.0  # noise in the window loud enough to hide speech (no speech found)

    @property
    def hearing(self) -> float | None:
        """How clearly the recognizer heard the window: the mean word probability of its least
        clearly heard utterance (a phrase may hide in any of them). None when no utterance has
        words with probabilities (nothing said there, or a transcript made by people)."""
        unclear = self.least_clear
        return None if unclear is None else unclear[1]

    @property
    def repetition(self) -> tuple[Utterance, int] | None:
        """The first utterance of the longest run of REPEATS_HEARD_AS_LOOP or more utterances
        of the call in a row with the same words, and the run's length; None when there is no
        such run."""
        best: tuple[Utterance, int] | None = None
        run_start, run = 0, 0
        for position, analyzed in enumerate(self.utterances):
            words, previous = _words_of(analyzed), self.utterances[position - 1]
            if (position and words and words == _words_of(previous)
                    and analyzed.index == previous.index + 1):
                run += 1
            else:
                run_start, run = position, 1
            if run >= REPEATS_HEARD_AS_LOOP and (best is None or run > best[1]):
                best = (self.utterances[run_start].utterance, run)
        return best

    @property
    def least_clear(self) -> tuple[Utterance, float] | None:
        heard = [(u.utterance, _mean_probability(u.utterance)) for u in self.utterances
                 if u.utterance.words]
        return min(heard, key=lambda pair: (pair[1], pair[0].start)) if heard else None


def _words_of(analyzed: AnalyzedUtterance) -> tuple[str, ...]:
    return tuple(token.fold for token in analyzed.tokens)


def _mean_probability(utterance: Utterance) -> float:
    words = utterance.words
    return round(float(sum(word.probability for word in words)) / len(words), 3)


class AnalyzedCall:
    def __init__(self, transcript: Transcript, analyzer: Analyzer):
        self.transcript = transcript
        self.language = transcript.language
        self.utterances = tuple(
            AnalyzedUtterance(index, utterance, analyzer.tokens(utterance.text))
            for index, utterance in enumerate(transcript.utterances)
        )
        self.speech_end = max((u.end for u in transcript.utterances), default=0.0)
        # Speech the recognizer gave no words for may come after the last words it wrote.
        self.unheard_end = max(
            (u.end for u in transcript.unheard if not u.drowned), default=0.0)
        self.duration = max(transcript.duration, self.speech_end)

    @property
    def speakers_known(self) -> bool:
        return self.transcript.speakers_known

    def is_certain(self, utterance: AnalyzedUtterance, speaker: str) -> bool:
        """Whether the utterance is known to be by `speaker` ("any": always)."""
        return speaker == "any" or utterance.speaker == speaker

    def turn_of(self, utterance: AnalyzedUtterance) -> list[AnalyzedUtterance]:
        """The utterance with its neighbours by the same speaker, nobody else speaking between
        and no pause over TURN_PAUSE_S: a recognizer may split one sentence into utterances."""
        ordered = sorted(self.utterances, key=lambda u: (u.utterance.start, u.index))
        position = ordered.index(utterance)
        turn = [utterance]
        for step in (-1, 1):
            current, cursor = utterance, position + step
            while 0 <= cursor < len(ordered):
                neighbour = ordered[cursor]
                earlier, later = (neighbour, current) if step < 0 else (current, neighbour)
                pause = later.utterance.start - earlier.utterance.end
                if neighbour.speaker != utterance.speaker or pause > TURN_PAUSE_S:
                    break
                turn.append(neighbour)
                current, cursor = neighbour, cursor + step
        return turn

    def candidates(self, speaker: str) -> list[AnalyzedUtterance]:
        """Utterances that are, or may be (speaker unknown), by `speaker`, in time order."""
        chosen = [
            u
            for u in self.utterances
            if speaker == "any" or u.speaker in (speaker, Speaker.UNKNOWN)
        ]
        return sorted(chosen, key=lambda u: (u.utterance.start, u.index))

    def select(self, speaker: str, window: Window) -> Selection:
        """The utterances by (or maybe by) `speaker` inside `window`."""
        chosen = self.candidates(speaker)
        if window.region == "opening":
            chosen, start, end = self._opening(chosen, window)
            count = f"first {window.utterances}" if window.utterances else "all"
        elif window.region == "closing":
            chosen, start, end = self._closing(chosen, window)
            count = f"last {window.utterances}" if window.utterances else "all"
        else:
            start, end, count = 0.0, self.duration, "all"
        looked_in = LookedIn(speaker, round(start, 2), round(end, 2), count)
        return Selection(tuple(chosen), looked_in, self._unheard_s(speaker, start, end),
                         self._unheard_s(speaker, start, end, drowned=True))

    def _unheard_s(self, speaker: str, start: float, end: float, drowned: bool = False
                   ) -> float:
        return round(sum(
            max(0.0, min(end, u.end) - max(start, u.start))
            for u in self.transcript.unheard
            if u.drowned == drowned
            and (speaker == "any" or u.speaker in (speaker, Speaker.UNKNOWN))
        ), 2)

    def _opening(
        self, chosen: list[AnalyzedUtterance], window: Window
    ) -> tuple[list[AnalyzedUtterance], float, float]:
        if window.utterances is not None:
            chosen = chosen[: window.utterances]
        if window.seconds is None:
            return chosen, 0.0, max((u.utterance.end for u in chosen), default=0.0)
        return [u for u in chosen if u.utterance.start < window.seconds], 0.0, window.seconds

    def _closing(
        self, chosen: list[AnalyzedUtterance], window: Window
    ) -> tuple[list[AnalyzedUtterance], float, float]:
        """Measured back from the end of the last words: recordings often trail silence. The
        window reaches on to the end of any speech after them that gave no words, so that
        speech counts as not made out rather than as a closing without the phrase."""
        if window.utterances is not None:
            chosen = chosen[-window.utterances :]
        end = max(self.speech_end, self.unheard_end)
        if window.seconds is None:
            return chosen, min((u.utterance.start for u in chosen), default=end), end
        cutoff = self.speech_end - window.seconds
        return [u for u in chosen if u.utterance.end > cutoff], max(0.0, cutoff), end
