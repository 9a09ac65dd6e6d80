"""The eval report: measures, misses, the text form, and 100 % on the corpus references."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from callqa.qa.audio import AudioError
from callqa.services.evaluation import (
    CallOutcome,
    Prediction,
    assess_references,
    compare,
    evaluate,
    format_report,
    recognized_transcript,
    recording_of,
)
from callqa.services.score_store import rules_for
from callqa.settings import Settings


def outcome(call_id, language, expected, got):
    return CallOutcome(
        call_id,
        language,
        {"greeting": expected},
        {"greeting": Prediction(got, "why", ({"start": 1},)), "unexpected": Prediction(True)},
    )


def test_measures_per_item_and_language():
    report = compare([
        outcome("a", "pl", True, True),
        outcome("b", "pl", False, True),  # false positive
        outcome("c", "en", True, "review"),  # undecided: a miss, and a false negative
        outcome("d", "en", False, False),
    ])
    assert list(report["items"]) == ["greeting"]  # only items the manifest expects
    greeting = report["items"]["greeting"]
    assert {k: greeting[k] for k in ("n", "accuracy", "precision", "recall")} == {
        "n": 4, "accuracy": 0.5, "precision": 0.5, "recall": 0.5,
    }
    measured = ("n", "accuracy", "precision", "recall")
    assert {lang: {k: m[k] for k in measured} for lang, m in greeting["by_language"].items()} == {
        "en": {"n": 2, "accuracy": 0.5, "precision": None, "recall": 0.0},
        "pl": {"n": 2, "accuracy": 0.5, "precision": 0.5, "recall": 1.0},
    }
    assert [(m["call_id"], m["expected"], m["got"]) for m in report["misses"]] == [
        ("b", False, True),
        ("c", True, "review"),
    ]
    assert report["misses"][0]["evidence"] == [{"start": 1}]
    json.dumps(report)


def test_non_boolean_truths_get_accuracy_only():
    report = compare([
        CallOutcome("a", "pl", {"resolution": "resolved"}, {"resolution": Prediction("resolved")}),
        CallOutcome("b", "pl", {"resolution": "callback"}, {"resolution": Prediction("resolved")}),
    ])
    measures = report["items"]["resolution"]
    assert (measures["accuracy"], measures["precision"], measures["recall"]) == (0.5, None, None)
    assert (measures["decided"], measures["precision_passed"], measures["precision_failed"]) == (
        None, None, None)


def test_precision_of_each_verdict_and_the_share_decided():
    """Ten calls by hand, in Polish and English: what the machine said beside the truth."""
    said = [  # (language, truth, machine)
        ("pl", True, True), ("pl", True, True), ("pl", False, True),  # passed: 2 of 3 right
        ("pl", False, False), ("pl", True, False),  # failed: 1 of 2 right
        ("pl", True, "review"),  # undecided
        ("en", False, False), ("en", False, False), ("en", True, "not_applicable"),
        ("en", True, "review"),
    ]
    report = compare([outcome(f"c{i}", lang, truth, got)
                      for i, (lang, truth, got) in enumerate(said)])
    greeting = report["items"]["greeting"]
    assert {k: greeting[k] for k in ("decided", "precision_passed", "precision_failed")} == {
        "decided": 0.7, "precision_passed": 0.6667, "precision_failed": 0.75,
    }
    assert greeting["precision"] == greeting["precision_passed"]
    pl, en = greeting["by_language"]["pl"], greeting["by_language"]["en"]
    assert (pl["decided"], pl["precision_passed"], pl["precision_failed"]) == (0.8333, 0.6667, 0.5)
    assert (en["decided"], en["precision_passed"], en["precision_failed"]) == (0.5, None, 1.0)


@pytest.fixture(scope="module")
def reference_calls(corpus_entries):
    return assess_references(corpus_entries, rules_for(Settings()))


def test_more_predictions_plug_in_as_predictors(reference_calls):
    def fcr(call):
        return Prediction(call.entry.expect["resolution"] == "resolved", "resolved in the call")

    report = evaluate(reference_calls, predictors={"fcr": fcr})
    assert list(report["items"]) == ["greeting", "thanks", "goodbye", "hold", "fcr"]
    assert report["items"]["fcr"]["n"] == len(reference_calls)


def test_reference_transcripts_score_every_item_100_percent_in_both_languages(reference_calls):
    report = evaluate(reference_calls)
    expected_items = {
        item
        for call in reference_calls
        for item in call.entry.expect
        if item in {i.item_id for i in call.checklist.items} | {"hold"}
    }
    assert set(report["items"]) == expected_items == {"greeting", "thanks", "goodbye", "hold"}
    assert report["misses"] == [], format_report(report)
    for item, measures in report["items"].items():
        assert set(measures["by_language"]) == {"pl", "en"}, item
        for scope in [measures, *measures["by_language"].values()]:
            assert scope["accuracy"] == 1.0, item
            assert scope["precision"] in (1.0, None) and scope["recall"] in (1.0, None), item
            assert scope["decided"] == 1.0, item
            assert scope["precision_failed"] in (1.0, None), item


def test_text_report_lists_items_languages_and_misses(reference_calls):
    first = reference_calls[0]
    entry = replace(first.entry, data={**first.entry.data,
                                       "expect": {**first.entry.expect, "greeting": False}})
    tampered = replace(first, entry=entry)
    text = format_report(evaluate([tampered, *reference_calls[1:]]))
    lines = text.splitlines()
    assert lines[0].split() == ["item", "lang", "n", "accuracy", "decided", "prec.pass",
                                "prec.fail", "recall"]
    assert any(line.startswith("greeting") and "all" in line for line in lines)
    assert "misses: 1" in text
    assert f"{entry.call_id} [{entry.metadata.language}] greeting: expected false, got true" in text
    assert "(exact, counted)" in text


def test_eval_decodes_recordings_as_the_worker_does(corpus_entries, tmp_path):
    """The worker's duration limit and its language and layout resolution apply to eval."""
    entry = corpus_entries[0]
    settings = Settings(max_duration_s=5.0, default_layout="mono", default_language="en")
    with pytest.raises(AudioError, match="over the .* limit"):
        recognized_transcript(entry, settings, transcriber=None, scorecard=None)
    assert recording_of(entry, settings).layout == entry.metadata.layout
    bare = replace(entry, metadata=replace(entry.metadata, language=None, layout=None))
    recording = recording_of(bare, settings)
    assert (recording.language, recording.layout) == ("en", "mono")
    assert recording_of(bare, Settings(default_language="")) is None
