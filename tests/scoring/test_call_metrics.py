"""Call metrics on a hand-made timeline."""
from __future__ import annotations

import json

import pytest

from callqa.qa.metrics import MetricsOptions, call_metrics
from callqa.qa.transcript import Speaker, Transcript, Utterance

AGENT, CUSTOMER = Speaker.AGENT, Speaker.CUSTOMER


def timeline(speakers_known: bool = True) -> Transcript:
    def said(speaker, start, end, text):
        return Utterance(speaker if speakers_known else Speaker.UNKNOWN, start, end, text)

    return Transcript(
        language="en",
        duration=40.0,
        speakers_known=speakers_known,
        utterances=[
            said(AGENT, 0.5, 5.0, "Good morning, this is John, how can I help you today?"),
            said(CUSTOMER, 4.0, 8.0, "Hi, my card was stolen yesterday."),  # 1 s overtalk
            said(AGENT, 8.5, 10.5, "Please hold, I will check."),
            # 12.5 s of silence, the agent on both sides: a hold
            said(AGENT, 23.0, 26.0, "Thanks for waiting, the card is blocked."),
            said(CUSTOMER, 26.5, 27.0, "Great."),
            # 11 s of silence, then the customer: dead air, not a hold
            said(CUSTOMER, 38.0, 39.5, "Hello, are you there?"),
        ],
    )


def test_dead_air_hold_talk_and_pace():
    metrics = call_metrics(timeline())
    assert [(s.start, s.end, s.seconds, s.hold) for s in metrics.dead_air] == [
        (10.5, 23.0, 12.5, True),
        (27.0, 38.0, 11.0, False),
    ]
    assert metrics.dead_air_seconds == 23.5
    assert [(s.start, s.end) for s in metrics.holds] == [(10.5, 23.0)]
    assert metrics.longest_silence == 12.5
    assert metrics.agent_talk_seconds == 9.5
    assert metrics.customer_talk_seconds == 6.0
    assert metrics.talk_ratio == pytest.approx(1.58)
    assert [(s.start, s.end) for s in metrics.overtalk] == [(4.0, 5.0)]
    assert metrics.overtalk_seconds == 1.0
    assert metrics.agent_words == 11 + 5 + 7
    assert metrics.agent_words_per_minute == pytest.approx(23 / 9.5 * 60, abs=0.1)
    assert metrics.speech_seconds == 14.5


def test_the_dead_air_threshold_is_configurable():
    assert len(call_metrics(timeline(), MetricsOptions(dead_air_seconds=12)).dead_air) == 1
    assert len(call_metrics(timeline(), MetricsOptions(dead_air_seconds=20)).dead_air) == 0


def test_mono_calls_measure_silence_but_not_speakers():
    metrics = call_metrics(timeline(speakers_known=False))
    assert len(metrics.dead_air) == 2 and not metrics.holds
    assert metrics.talk_ratio is metrics.overtalk_seconds is metrics.agent_words_per_minute is None


def test_metrics_are_json_for_storage():
    stored = json.loads(json.dumps(call_metrics(timeline()).to_dict()))
    assert stored["dead_air"][0] == {
        "start": 10.5, "end": 23.0, "seconds": 12.5, "before": "agent", "after": "agent",
        "hold": True,
    }
    assert stored["options"] == {"dead_air_seconds": 10.0, "overtalk_min_seconds": 0.3}


def test_an_empty_call_has_no_metrics_to_speak_of():
    metrics = call_metrics(Transcript("pl", 0.0))
    assert metrics.dead_air == () and metrics.talk_ratio is None and metrics.speech_seconds == 0
