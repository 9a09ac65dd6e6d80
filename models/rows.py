"""Rows built from domain objects."""
from __future__ import annotations

from callqa.models.call import Utterance
from callqa.qa.transcript import Utterance as TranscriptUtterance


def utterance_row(position: int, utterance: TranscriptUtterance) -> Utterance:
    return Utterance(
        position=position, speaker=str(utterance.speaker), channel=utterance.channel,
        start_s=utterance.start, end_s=utterance.end, text=utterance.text,
        words=[{"text": w.text, "start": w.start, "end": w.end, "probability": w.probability}
               for w in utterance.words],
        avg_logprob=utterance.avg_logprob, no_speech_prob=utterance.no_speech_prob,
    )
