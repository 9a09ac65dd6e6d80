"""Scorecard files: the default one, versions, and clear errors naming the item and the field."""
from __future__ import annotations

import pytest

from callqa.qa.scoring import ScorecardError, default_scorecard, load_scorecard, parse_scorecard

VALID = """\
id: mine
critical_cap: 40
items:
  - id: greeting
    label: {pl: Powitanie, en: Greeting}
    where: {region: opening, seconds: 20}
    phrases: {pl: [dzień dobry], en: [hello]}
  - id: goodbye
    label: {pl: Pożegnanie, en: Goodbye}
    where: {region: closing, utterances: 2}
    phrases: {pl: [do widzenia], en: [goodbye]}
"""


def with_change(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new, 1)


def test_the_default_scorecard_has_the_issue_items():
    scorecard = default_scorecard()
    assert [item.id for item in scorecard.items] == [
        "greeting", "introduction", "thanks", "goodbye", "anything_else", "resolution_check",
        "forbidden_phrases",
    ]
    assert scorecard.item("forbidden_phrases").critical
    assert scorecard.item("forbidden_phrases").kind == "forbidden"
    assert all(set(item.phrases) == {"pl", "en"} for item in scorecard.items)
    assert scorecard.critical_cap == 50


def test_a_valid_file_loads_with_its_text_kept(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(VALID, encoding="utf-8")
    scorecard = load_scorecard(path)
    assert scorecard.id == "mine"
    assert scorecard.item("goodbye").where.utterances == 2
    assert scorecard.text == VALID
    assert parse_scorecard(scorecard.text).version == scorecard.version  # stored, reloaded


def test_the_version_follows_the_content_not_the_formatting():
    version = parse_scorecard(VALID).version
    assert parse_scorecard("# my notes\n" + VALID).version == version
    assert parse_scorecard(with_change("[hello]", "[hello, hi]")).version != version
    assert parse_scorecard(with_change("seconds: 20", "seconds: 25")).version != version


BAD = [
    # (change, item named in the error, field named in the error, words of the problem)
    (("seconds: 20", "seconds: abc"), "'greeting' (#1)", "where.seconds", "positive number"),
    (("seconds: 20", "seconds: -5"), "'greeting' (#1)", "where.seconds", "positive number"),
    (("utterances: 2", "utterances: 1.5"), "'goodbye' (#2)", "where.utterances", "whole number"),
    (("{region: opening, seconds: 20}", "{region: middle}"), "'greeting' (#1)", "where.region",
     "opening, closing, anywhere"),
    (("{region: opening, seconds: 20}", "opening"), "'greeting' (#1)", "where",
     "needs seconds, utterances"),
    (("{region: closing, utterances: 2}", "{region: anywhere, seconds: 3}"), "'goodbye' (#2)",
     "where", "takes no seconds"),
    (("    phrases: {pl: [do widzenia]", "    phrase: {pl: [do widzenia]"), "'goodbye' (#2)",
     "phrase", "unknown field"),
    (("    label: {pl: Powitanie, en: Greeting}\n", ""), "'greeting' (#1)", "label",
     "is required"),
    (("{pl: Powitanie, en: Greeting}", "{pl: Powitanie}"), "'greeting' (#1)", "label.en",
     "is required"),
    (("{pl: Pożegnanie, en: Goodbye}", "oops"), "'goodbye' (#2)", "label", "must be a mapping"),
    (("en: [goodbye]}\n", "en: [goodbye]}\n  - oops\n"), "#3", "", "must be a mapping, got 'oops'"),
    (("  - id: goodbye", "  - id: greeting"), "'greeting' (#2)", "id", "duplicate"),
    (("  - id: goodbye", "  - id: Good-bye"), "#2", "id", "lowercase letters"),
    (("{pl: [dzień dobry], en: [hello]}", "{pl: [], en: [hello]}"), "'greeting' (#1)",
     "phrases.pl", "non-empty list"),
    (("{pl: [dzień dobry], en: [hello]}", "{polish: [dzień dobry]}"), "'greeting' (#1)",
     "phrases.polish", "language code"),
    (("{pl: [dzień dobry], en: [hello]}", "{pl: [dzień dobry, 42]}"), "'greeting' (#1)",
     "phrases.pl", "must be text"),
    (("{pl: [dzień dobry], en: [hello]}", "{}"), "'greeting' (#1)", "phrases",
     "at least one phrase"),
    (("    where: {region: opening, seconds: 20}\n",
      "    where: {region: opening, seconds: 20}\n    kind: must\n"), "'greeting' (#1)", "kind",
     "required, forbidden"),
    (("    where: {region: opening, seconds: 20}\n",
      "    where: {region: opening, seconds: 20}\n    weight: -1\n"), "'greeting' (#1)", "weight",
     "number ≥ 0"),
    (("    where: {region: opening, seconds: 20}\n",
      "    where: {region: opening, seconds: 20}\n    critical: yes please\n"), "'greeting' (#1)",
     "critical", "true or false"),
    (("    where: {region: opening, seconds: 20}\n",
      "    where: {region: opening, seconds: 20}\n"
      "    not_applicable_when: {call_shorter_than: 0}\n"), "'greeting' (#1)",
     "not_applicable_when.call_shorter_than", "positive number"),
    (("    where: {region: opening, seconds: 20}\n",
      "    where: {region: opening, seconds: 20}\n"
      "    exclude: [{phrases: {en: [hello kitty]}, together_with: farewell}]\n"),
     "'greeting' (#1)", "exclude[1].together_with", "no item has the id 'farewell'"),
    (("critical_cap: 40", "critical_cap: 140"), None, "critical_cap", "at most 100"),
    (("id: mine", "id: mine\ncolour: blue"), None, "colour", "unknown field"),
]


@pytest.mark.parametrize(("change", "item", "field", "problem"), BAD,
                         ids=[f"{field}:{change[1][:20]}" for change, _, field, _ in BAD])
def test_a_bad_scorecard_names_the_item_and_the_field(change, item, field, problem):
    with pytest.raises(ScorecardError) as raised:
        parse_scorecard(with_change(*change), source="mine.yaml")
    error = raised.value
    assert (error.item, error.field) == (item, field)
    assert problem in error.problem
    message = str(error)
    assert message.startswith("mine.yaml")
    if field:
        assert f"field '{field}'" in message
    if item:
        assert f"item {item}" in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("items: [\n  - id: x", "not valid YAML at line"),
        ("", "must be a mapping, got nothing"),
        ("items: []", "non-empty list"),
        ("- just\n- a list", "must be a mapping, got a list"),
    ],
)
def test_a_broken_file_is_rejected_clearly(text, problem):
    with pytest.raises(ScorecardError, match="mine.yaml") as raised:
        parse_scorecard(text, source="mine.yaml")
    assert problem in str(raised.value)


def test_a_missing_file_names_its_path(tmp_path):
    with pytest.raises(ScorecardError, match="nowhere.yaml: cannot read the file"):
        load_scorecard(tmp_path / "nowhere.yaml")
