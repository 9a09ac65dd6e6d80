import json

import pytest

from callqa.qa.transcript import Speaker
from callqa.qa.transcript_file import TranscriptFileError, read_transcript_file


def test_a_corpus_manifest_entry_reads_as_a_transcript(tmp_path, manifest):
    path = tmp_path / "cpl001.json"
    path.write_text(json.dumps(manifest["cpl001"], ensure_ascii=False))
    transcript = read_transcript_file(path, "pl")
    assert len(transcript.utterances) == len(manifest["cpl001"]["timing"])
    first = transcript.utterances[0]
    assert (first.speaker, first.start) == (Speaker.AGENT, 0.6)
    assert first.text.startswith("Dobry wieczór")
    assert transcript.speakers_known and transcript.duration == manifest["cpl001"]["duration"]


def test_a_plain_list_with_unknown_speakers_is_a_mono_transcript(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps([{"speaker": "unknown", "start": 1, "end": 2, "text": "Halo?"}]))
    transcript = read_transcript_file(path, "pl")
    assert transcript.speakers_known is False and transcript.duration == 2


@pytest.mark.parametrize("content, fragment", [
    ("not json", "not a JSON file"),
    ('{"calls": []}', "expected a list of utterances"),
    ("[]", "has no utterances"),
    ('[{"speaker": "bot", "start": 0, "end": 1, "text": "x"}]', "utterance 1: speaker 'bot'"),
    ('[{"speaker": "agent", "start": "a", "end": 1, "text": "x"}]', "must be seconds"),
    ('[{"speaker": "agent", "start": 2, "end": 1, "text": "x"}]', "before start"),
    ('[{"speaker": "agent", "start": 0, "end": 1, "text": " "}]', "no text"),
])
def test_bad_transcript_files_say_what_is_wrong(tmp_path, content, fragment):
    path = tmp_path / "t.json"
    path.write_text(content)
    with pytest.raises(TranscriptFileError, match="t.json") as error:
        read_transcript_file(path, "en")
    assert fragment in str(error.value)
