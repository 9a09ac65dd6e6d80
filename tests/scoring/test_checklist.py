"""Verdicts, evidence, explanations and the score of a whole call."""
from __future__ import annotations

import json

import pytest

from callqa.qa.scoring import (
    LookedIn,
    ScoringContext,
    Verdict,
    explain,
    parse_scorecard,
    score_transcript,
)
from callqa.qa.scoring.checklist import normalize_language


def test_the_customer_thanking_does_not_make_the_agents_thanks(make_call, scorecard):
    call = make_call(
        "en",
        ("agent", 0.5, "Good morning, Northwind."),
        ("customer", 20, "Thank you so much."),
        ("agent", 24, "Okay, that is it then."),
    )
    item = score_transcript(call, scorecard).item("thanks")
    assert item.verdict == Verdict.FAILED
    assert item.explanation["en"].startswith("no thanks by the agent in the whole call")
    (evidence,) = item.evidence
    assert (evidence.speaker, evidence.counted) == ("customer", False)
    assert evidence.note == "other_speaker"


def test_thank_you_for_calling_alone_is_thanks_not_goodbye(make_call, scorecard):
    call = make_call(
        "en",
        ("agent", 0.5, "Hello, Northwind."),
        ("customer", 5, "I lost my card."),
        ("agent", 30, "Thank you for calling."),
    )
    result = score_transcript(call, scorecard)
    assert result.item("thanks").verdict == Verdict.PASSED
    goodbye = result.item("goodbye")
    assert goodbye.verdict == Verdict.FAILED
    assert "no goodbye by the agent in" in goodbye.explanation["en"]


def test_the_branded_opening_greets_but_does_not_thank(make_call, scorecard):
    call = make_call(
        "en",
        ("agent", 0.6, "Good morning, thank you for calling Northwind, my name is Emily Brooks."),
        ("agent", 30, "Goodbye, take care."),
    )
    result = score_transcript(call, scorecard)
    assert result.item("greeting").verdict == Verdict.PASSED
    thanks = result.item("thanks")
    assert thanks.verdict == Verdict.FAILED
    assert [e.note for e in thanks.evidence] == ["excluded"]


def test_a_failed_item_says_where_it_looked(make_call, scorecard):
    call = make_call("pl", ("agent", 0.6, "Telmax, słucham."), ("customer", 3, "Dzień dobry."))
    item = score_transcript(call, scorecard).item("greeting")
    assert item.verdict == Verdict.FAILED
    assert item.explanation["en"] == (
        "no greeting by the agent in 0–20 s (first 2 agent utterances)"
    )
    assert item.explanation["pl"] == (
        "brak: powitanie (konsultant) w 0–20 s (pierwsze 2 wypowiedzi konsultanta)"
    )
    assert item.looked_in.to_dict() == {
        "speaker": "agent", "start": 0.0, "end": 20.0, "utterances": "first 2",
    }


def test_mono_calls_send_agent_items_to_review_and_say_why(make_call, scorecard):
    call = make_call(
        "pl",
        ("agent", 0.6, "Dzień dobry, nazywam się Anna Kowalska."),
        ("customer", 5, "Dzień dobry, nie wiem, który to numer."),
        ("agent", 30, "Do widzenia."),
        mono=True,
    )
    result = score_transcript(call, scorecard)
    greeting = result.item("greeting")
    assert greeting.verdict == Verdict.REVIEW
    assert "speaker is unknown (mono recording)" in greeting.explanation["en"]
    assert "nagranie mono" in greeting.explanation["pl"]
    assert all(e.note == "speaker_unknown" for e in greeting.evidence)
    assert result.item("forbidden_phrases").verdict == Verdict.REVIEW  # maybe the customer
    assert result.item("thanks").verdict == Verdict.FAILED  # nobody thanked at all
    assert set(result.needs_review) >= {"greeting", "introduction", "goodbye", "forbidden_phrases"}
    assert result.critical_failed == ()


def test_the_agent_saying_their_own_name_is_an_introduction(make_call, scorecard):
    call = make_call("pl", ("agent", 0.6, "Witam, tu Tomasz Lewandowski z biura obsługi."))
    anonymous = score_transcript(call, scorecard).item("introduction")
    named = score_transcript(call, scorecard, ScoringContext("Tomasz Lewandowski"))
    assert anonymous.verdict == Verdict.FAILED
    introduction = named.item("introduction")
    assert introduction.verdict == Verdict.PASSED
    assert [e.matched for e in introduction.evidence] == ["Tomasz Lewandowski"]


def test_score_weighs_items_and_a_critical_failure_caps_it(make_call, scorecard):
    polite = make_call(
        "en",
        ("agent", 0.5, "Good morning, my name is John."),
        ("customer", 5, "My card is lost."),
        ("agent", 10, "Thanks for letting me know."),
        ("agent", 20, "I have blocked it. Did that solve it for you?"),
        ("agent", 25, "Is there anything else I can help you with?"),
        ("customer", 28, "No."),
        ("agent", 30, "Goodbye, take care."),
    )
    result = score_transcript(polite, scorecard)
    assert (result.score, result.flagged, result.capped) == (100.0, False, False)

    rude = make_call(
        "en",
        ("agent", 0.5, "Good morning, my name is John."),
        ("customer", 5, "My card is lost."),
        ("agent", 10, "Thanks for letting me know. I don't know where it is."),
        ("agent", 20, "I have blocked it. Did that solve it for you?"),
        ("agent", 25, "Is there anything else I can help you with?"),
        ("customer", 28, "No."),
        ("agent", 30, "Goodbye, take care."),
    )
    result = score_transcript(rude, scorecard)
    assert result.critical_failed == ("forbidden_phrases",)
    assert result.flagged and result.capped
    assert result.score == scorecard.critical_cap == 50
    assert (result.passed_weight, result.applicable_weight) == (6, 8)


def test_review_and_not_applicable_items_are_left_out_of_the_score(make_call, scorecard):
    call = make_call("en", ("agent", 0.5, "Hello?"), ("customer", 3, "Sorry, wrong number."))
    result = score_transcript(call, scorecard)
    verdicts = {item.item_id: item.verdict for item in result.items}
    assert verdicts["goodbye"] == verdicts["thanks"] == Verdict.NOT_APPLICABLE
    assert "under 20 s" in result.item("goodbye").explanation["en"]
    assert result.applicable_weight == 4  # greeting, introduction, forbidden phrases (2)
    assert result.score == 75.0


def test_weights_and_cap_come_from_the_scorecard(make_call):
    scorecard = parse_scorecard("""
critical_cap: 10
items:
  - id: greeting
    label: {pl: Powitanie, en: Greeting}
    weight: 3
    phrases: {en: [hello]}
  - id: rude
    label: {pl: Niegrzecznie, en: Rude}
    kind: forbidden
    critical: true
    phrases: {en: [whatever]}
""")
    call = make_call("en", ("agent", 0.5, "Hello. Whatever."))
    result = score_transcript(call, scorecard)
    assert result.score == 10 and result.critical_failed == ("rude",)
    call = make_call("en", ("agent", 0.5, "Yes?"))
    assert score_transcript(call, scorecard).score == 25.0


def test_a_language_without_phrases_goes_to_review(make_call, scorecard):
    call = make_call("de", ("agent", 0.5, "Guten Tag, mein Name ist Anna."), duration=60)
    result = score_transcript(call, scorecard)
    assert {item.verdict for item in result.items} == {Verdict.REVIEW}
    assert "no 'de' phrases" in result.item("greeting").explanation["en"]
    assert result.score is None


@pytest.mark.parametrize(("given", "language"), [("pl", "pl"), ("en-US", "en"), ("EN_gb", "en")])
def test_language_codes_are_normalized(given, language):
    assert normalize_language(given) == language


def test_the_result_is_json_for_storage(make_call, scorecard):
    call = make_call(
        "pl",
        ("agent", 0.6, "Dzień dobry, nazywam się Anna."),
        ("customer", 4, "Dziękuję."),
        ("agent", 30, "Do widzenia."),
        word_probability=0.9,
    )
    stored = json.loads(json.dumps(score_transcript(call, scorecard).to_dict()))
    assert stored["scorecard"] == {"id": "default", "version": scorecard.version}
    assert set(stored) >= {"score", "flagged", "critical_failed", "needs_review", "items"}
    greeting = stored["items"][0]
    assert set(greeting) == {
        "item", "label", "verdict", "method", "confidence", "weight", "critical",
        "explanation", "looked_in", "evidence", "hearing",
    }
    assert set(greeting["evidence"][0]) == {
        "utterance_index", "speaker", "start", "end", "utterance", "matched", "phrase", "method",
        "confidence", "similarity", "counted", "note",
    }


def test_a_phrase_outside_the_window_is_shown_but_does_not_count(make_call, scorecard):
    call = make_call(
        "pl",
        ("agent", 0.6, "Dzień dobry, do widzenia, pomyłka, przepraszam, już łączę."),
        ("customer", 10, "Dobrze."),
        ("agent", 50, "No to tyle."),
    )
    item = score_transcript(call, scorecard).item("goodbye")
    assert item.verdict == Verdict.FAILED
    (evidence,) = item.evidence
    assert (evidence.matched, evidence.note, evidence.counted) == (
        "do widzenia", "outside_window", False,
    )


@pytest.mark.parametrize(
    ("utterances", "polish"),
    [
        ("first 1", "pierwsza wypowiedź konsultanta"),
        ("first 3", "pierwsze 3 wypowiedzi konsultanta"),
        ("last 5", "ostatnich 5 wypowiedzi konsultanta"),
        ("last 22", "ostatnie 22 wypowiedzi konsultanta"),
    ],
)
def test_polish_window_descriptions_agree_with_their_numbers(utterances, polish):
    looked_in = LookedIn("agent", 0.0, 12.5, utterances)
    assert explain.window(looked_in, 60.0, True, "pl") == f"0–12,5 s ({polish})"
