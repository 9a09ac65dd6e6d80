"""Names Whisper should expect: the configured vocabulary and the call's agent."""
from __future__ import annotations

import pytest

from callqa.qa.audio import decode_audio
from callqa.qa.transcript import Speaker
from callqa.qa.transcription import TranscribeOptions, track_options
from callqa.services.transcribing import hotwords_for, transcribe_options
from callqa.settings import Settings, load_settings


@pytest.mark.parametrize("vocabulary, hint_agent, agent, expected", [
    ("", True, "Emily Brooks", "Emily Brooks"),
    ("", True, None, None),
    ("", False, "Emily Brooks", None),
    ("Northwind", True, "Emily Brooks", "Northwind, Emily Brooks"),
    (" Northwind ,, Telmax ", False, None, "Northwind, Telmax"),
    ("Northwind, Emily Brooks", True, "Emily Brooks", "Northwind, Emily Brooks"),
])
def test_hotwords_join_the_vocabulary_and_the_agent_once(vocabulary, hint_agent, agent,
                                                         expected):
    settings = Settings(vocabulary=vocabulary, hint_agent_name=hint_agent)
    assert hotwords_for(settings, agent) == expected
    assert transcribe_options(settings, "en", agent).hotwords == expected


@pytest.mark.parametrize("speaker, hinted", [
    (Speaker.AGENT, True), (Speaker.CUSTOMER, False), (Speaker.UNKNOWN, False)])
def test_only_the_agents_own_track_gets_the_hint(speaker, hinted):
    options = TranscribeOptions(language="en", hotwords="Northwind, Emily Brooks")
    assert (track_options(options, speaker).hotwords is not None) is hinted


def test_the_hints_come_from_the_environment():
    settings = load_settings({"CALLQA_VOCABULARY": "Telmax", "CALLQA_HINT_AGENT_NAME": "no"})
    assert settings.vocabulary == "Telmax" and settings.hint_agent_name is False
    assert load_settings({"CALLQA_HINT_AGENT_NAME": "1"}).hint_agent_name is True
    assert load_settings({}).hint_agent_name is True


def test_the_hint_reaches_whisper(transcriber, corpus):
    """An 8 kHz opening that names the company and the agent: with both as hints, Whisper
    writes them as the agent said them."""
    audio = decode_audio(corpus / "audio" / "cen032.wav")
    opening = audio.channels[0][: 12 * 16000]
    options = TranscribeOptions(language="en", hotwords="Northwind, Emily Brooks")
    text = " ".join(segment.text for segment in transcriber.transcribe(opening, options))
    assert "Northwind" in text and "Emily Brooks" in text
