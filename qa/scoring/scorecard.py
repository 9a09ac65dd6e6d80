"""Scorecards: YAML checklists of courtesy items, validated strictly and versioned by content.

A bad file is rejected with an error naming the file, the item and the field, e.g.
``my.yaml: item 'greeting' (#1), field 'where.seconds': must be a positive number, got 'abc'``.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, overload

import yaml

from callqa.qa.scoring.matching import FuzzyOptions

KINDS = ("required", "forbidden")  # what an item checks; rules.py registers one function each
REGIONS = ("opening", "closing", "anywhere")
SPEAKERS = ("agent", "customer", "any")
MATCH_MODES = ("lemma", "exact")  # exact: the forms as written, no lemmas (fuzzy still applies)
LABEL_LANGUAGES = ("pl", "en")
DEFAULT_SCORECARD = "default.yaml"

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


class ScorecardError(ValueError):
    """A scorecard file that cannot be used; the message names the item and field."""

    def __init__(self, source: str, problem: str, item: str | None = None, field: str = ""):
        self.source, self.problem, self.item, self.field = source, problem, item, field
        where = [source]
        if item is not None:
            where.append(f"item {item}")
        if field:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {problem}")


@dataclass(frozen=True)
class Window:
    """Where an item looks: the opening or closing of the call, or anywhere.

    `seconds` bounds the window from the start of the call (opening) or back from the end of the
    last speech (closing); `utterances` counts the speaker's first or last utterances. With both,
    the window ends at whichever limit comes first.
    """

    region: str = "anywhere"
    seconds: float | None = None
    utterances: int | None = None


@dataclass(frozen=True)
class Exclusion:
    """Matches inside these phrases, in this window, do not count for the item.

    With `together_with`, only where the same turn (the speaker's utterances without a pause
    or the other party between) also holds one of that item's phrases: "thank you for calling"
    next to a goodbye is the farewell formula, not a thanks.
    """

    where: Window
    phrases: Mapping[str, tuple[str, ...]]
    match: str = "lemma"
    together_with: str | None = None  # another item's id


@dataclass(frozen=True)
class NotApplicableWhen:
    call_shorter_than: float | None = None  # seconds
    customer_hung_up: bool = False  # the customer spoke last, the agent never got to the close


@dataclass(frozen=True)
class HearingOptions:
    """How sure the recognizer must have been before a phrase it did not write fails an item.

    A missing phrase is evidence only where the words were heard clearly: below these figures
    the item is `review` with the reason, never `failed`. They are about the recognizer's own
    confidence, never about which wrong words it wrote.

    `min_word_probability`: every utterance of the speaker in the item's window must have had
    its words heard with at least this mean probability (0-1), or the window was not heard
    clearly: a phrase may hide in the least clear one.
    `near_miss_similarity`: words in the window whose letters are this similar (0-100) to a
    phrase's letters, below the fuzzy pass mark, are a near miss ("hank you" for "thank you"):
    review, with the candidate shown as evidence.
    `near_miss_min_letters`: shorter phrases ("hi", "bye") are never near misses: too many
    words look like them.
    `near_miss_max_probability`: a near miss counts only where the recognizer was less sure
    than this of the candidate words: a word it was sure of ("Dobra, to wszystko" is not
    "dobranoc") or a transcript made by people is what was said.
    `max_unheard_s`: seconds of the speaker's speech in the window that gave the recognizer no
    words (found when the window was heard a second time); more, and the window was not heard.
    """

    max_unheard_s: float = 1.5
    min_word_probability: float = 0.6
    near_miss_similarity: float = 80.0
    near_miss_min_letters: int = 6
    near_miss_max_probability: float = 0.9


@dataclass(frozen=True)
class Item:
    id: str
    label: Mapping[str, str]
    kind: str = "required"
    speaker: str = "agent"
    where: Window = field(default_factory=Window)
    phrases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    weight: float = 1.0
    critical: bool = False
    not_applicable_when: NotApplicableWhen = field(default_factory=NotApplicableWhen)
    exclude: tuple[Exclusion, ...] = ()
    agent_name: bool = False  # saying one's own name (when the call knows it) also passes
    match: str = "lemma"
    fuzzy: bool = True
    hearing: HearingOptions = field(default_factory=HearingOptions)  # the scorecard's, or own


@dataclass(frozen=True)
class Scorecard:
    id: str
    name: Mapping[str, str]
    version: str  # hash of the content: a stored result names the exact scorecard it used
    items: tuple[Item, ...]
    critical_cap: float = 0.0  # a critical failure caps the score at this
    fuzzy: FuzzyOptions = field(default_factory=FuzzyOptions)
    hearing: HearingOptions = field(default_factory=HearingOptions)  # items' default
    source: str = "<string>"
    text: str = ""  # the YAML as loaded, to store beside results

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "name": dict(self.name), "text": self.text}


def load_scorecard(path: str | Path) -> Scorecard:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ScorecardError(str(path), f"cannot read the file: {error}") from error
    return parse_scorecard(text, source=str(path))


@lru_cache(maxsize=1)
def default_scorecard() -> Scorecard:
    """The scorecard shipped with the package (qa/scorecards/default.yaml), parsed once."""
    text = resources.files("callqa.qa").joinpath("scorecards", DEFAULT_SCORECARD).read_text("utf-8")
    return parse_scorecard(text, source=f"qa/scorecards/{DEFAULT_SCORECARD}")


def parse_scorecard(text: str, source: str = "<string>") -> Scorecard:
    """A scorecard from YAML text (a file, or a version stored beside old results)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ScorecardError(source, f"not valid YAML{at}: {problem}") from error
    return _Parser(source).scorecard(data, text)


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.item: str | None = None
        self.default_hearing = HearingOptions()

    def fail(self, field: str, problem: str) -> ScorecardError:
        return ScorecardError(self.source, problem, self.item, field)

    def scorecard(self, data: object, text: str) -> Scorecard:
        top = self.mapping(
            data, "", {"id", "name", "critical_cap", "fuzzy", "hearing", "items"}, {"items"})
        self.default_hearing = self.hearing(top.get("hearing", {}), HearingOptions())
        items = self.items(top["items"])
        content: dict[str, Any] = {  # Scorecard's own fields, each parsed to its type
            "id": self.identifier(top.get("id", "scorecard"), "id"),
            "name": self.labels(top.get("name", {"en": "Scorecard", "pl": "Karta oceny"}), "name"),
            "critical_cap": self.number(top.get("critical_cap", 0), "critical_cap", upper=100),
            "fuzzy": self.fuzzy(top.get("fuzzy", {})),
            "hearing": self.default_hearing,
        }
        version = _content_hash(content, items)
        return Scorecard(items=items, version=version, source=self.source, text=text, **content)

    def items(self, data: object) -> tuple[Item, ...]:
        if not isinstance(data, list) or not data:
            raise self.fail("items", "must be a non-empty list of items")
        items, seen = [], set()
        for position, entry in enumerate(data, start=1):
            item = self.one_item(entry, position)
            if item.id in seen:
                raise self.fail("id", f"duplicate item id '{item.id}'")
            seen.add(item.id)
            items.append(item)
        for position, item in enumerate(items, start=1):
            self.item = f"'{item.id}' (#{position})"
            for number, exclusion in enumerate(item.exclude, start=1):
                if exclusion.together_with not in (None, *seen):
                    raise self.fail(f"exclude[{number}].together_with",
                                    f"no item has the id '{exclusion.together_with}'")
        self.item = None
        return tuple(items)

    def one_item(self, data: object, position: int) -> Item:
        given_id = data.get("id") if isinstance(data, dict) else None
        named = isinstance(given_id, str) and _ID.match(given_id)
        self.item = f"'{given_id}' (#{position})" if named else f"#{position}"
        allowed = {
            "id", "label", "kind", "speaker", "where", "phrases", "weight", "critical",
            "not_applicable_when", "exclude", "agent_name", "match", "fuzzy", "hearing",
        }
        entry = self.mapping(data, "", allowed, {"id", "label"})
        item_id = self.identifier(entry["id"], "id")
        self.item = f"'{item_id}' (#{position})"
        kind = self.choice(entry.get("kind", "required"), "kind", KINDS)
        item = Item(
            id=item_id,
            label=self.labels(entry["label"], "label"),
            kind=kind,
            speaker=self.choice(entry.get("speaker", "agent"), "speaker", SPEAKERS),
            where=self.window(entry.get("where", "anywhere"), "where"),
            phrases=self.phrases(entry.get("phrases", {}), "phrases"),
            weight=self.number(entry.get("weight", 1), "weight"),
            critical=self.boolean(entry.get("critical", False), "critical"),
            not_applicable_when=self.not_applicable(entry.get("not_applicable_when", {})),
            exclude=self.exclusions(entry.get("exclude", [])),
            agent_name=self.boolean(entry.get("agent_name", False), "agent_name"),
            match=self.choice(entry.get("match", "lemma"), "match", MATCH_MODES),
            fuzzy=self.boolean(entry.get("fuzzy", True), "fuzzy"),
            hearing=self.hearing(entry.get("hearing", {}), self.default_hearing),
        )
        if not item.phrases and not item.agent_name:
            raise self.fail("phrases", "needs at least one phrase in at least one language")
        if item.agent_name and kind != "required":
            raise self.fail("agent_name", "only a 'required' item can pass on the agent's name")
        return item

    def mapping(
        self, data: object, name: str, allowed: set[str], required: Collection[str] = ()
    ) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(name, f"must be a mapping, got {_shown(data)}")
        prefix = f"{name}." if name else ""
        for key in data:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(f"{prefix}{key}", f"unknown field (known fields: {known})")
        for key in sorted(required):
            if key not in data:
                raise self.fail(f"{prefix}{key}", "is required")
        return data

    def identifier(self, value: object, name: str) -> str:
        if not isinstance(value, str) or not _ID.match(value):
            raise self.fail(name, f"must be lowercase letters, digits and _, got {_shown(value)}")
        return value

    def choice(self, value: object, name: str, choices: tuple[str, ...]) -> str:
        if value not in choices:
            raise self.fail(name, f"must be one of {', '.join(choices)}, got {_shown(value)}")
        return value

    def number(self, value: object, name: str, upper: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.fail(name, f"must be a number ≥ 0, got {_shown(value)}")
        if upper is not None and value > upper:
            raise self.fail(name, f"must be at most {upper:g}, got {_shown(value)}")
        return float(value)

    @overload
    def positive(self, value: object, name: str, integer: Literal[False] = False) -> float: ...
    @overload
    def positive(self, value: object, name: str, integer: Literal[True]) -> int: ...
    def positive(self, value: object, name: str, integer: bool = False) -> float | int:
        kinds = int if integer else int | float
        if isinstance(value, bool) or not isinstance(value, kinds) or value <= 0:
            what = "a positive whole number" if integer else "a positive number"
            raise self.fail(name, f"must be {what}, got {_shown(value)}")
        return value if integer else float(value)

    def boolean(self, value: object, name: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(name, f"must be true or false, got {_shown(value)}")
        return value

    def labels(self, value: object, name: str) -> dict[str, str]:
        labels = self.mapping(value, name, set(LABEL_LANGUAGES), set(LABEL_LANGUAGES))
        for language, text in labels.items():
            if not isinstance(text, str) or not text.strip():
                raise self.fail(f"{name}.{language}", f"must be text, got {_shown(text)}")
        return {language: labels[language].strip() for language in LABEL_LANGUAGES}

    def window(self, value: object, name: str) -> Window:
        if isinstance(value, str):
            value = {"region": value}
        spec = self.mapping(value, name, {"region", "seconds", "utterances"}, {"region"})
        region = self.choice(spec["region"], f"{name}.region", REGIONS)
        seconds = spec.get("seconds")
        utterances = spec.get("utterances")
        if region == "anywhere":
            if seconds is not None or utterances is not None:
                raise self.fail(name, "'anywhere' takes no seconds or utterances")
            return Window()
        if seconds is None and utterances is None:
            raise self.fail(name, f"'{region}' needs seconds, utterances or both")
        return Window(
            region=region,
            seconds=None if seconds is None else self.positive(seconds, f"{name}.seconds"),
            utterances=None
            if utterances is None
            else self.positive(utterances, f"{name}.utterances", integer=True),
        )

    def phrases(self, value: object, name: str) -> dict[str, tuple[str, ...]]:
        if not isinstance(value, dict):
            problem = f"must map a language code to a list of phrases, got {_shown(value)}"
            raise self.fail(name, problem)
        phrases = {}
        for language, entries in value.items():
            where = f"{name}.{language}"
            if not isinstance(language, str) or not _LANGUAGE.match(language):
                raise self.fail(where, "must be a language code such as pl or en")
            if not isinstance(entries, list) or not entries:
                problem = f"must be a non-empty list of phrases, got {_shown(entries)}"
                raise self.fail(where, problem)
            for entry in entries:
                if not isinstance(entry, str) or not entry.strip():
                    raise self.fail(where, f"every phrase must be text, got {_shown(entry)}")
            phrases[language] = tuple(dict.fromkeys(entry.strip() for entry in entries))
        return phrases

    def not_applicable(self, value: object) -> NotApplicableWhen:
        name = "not_applicable_when"
        spec = self.mapping(value, name, {"call_shorter_than", "customer_hung_up"})
        shorter = spec.get("call_shorter_than")
        return NotApplicableWhen(
            call_shorter_than=None
            if shorter is None
            else self.positive(shorter, f"{name}.call_shorter_than"),
            customer_hung_up=self.boolean(
                spec.get("customer_hung_up", False), f"{name}.customer_hung_up"
            ),
        )

    def exclusions(self, value: object) -> tuple[Exclusion, ...]:
        if not isinstance(value, list):
            raise self.fail("exclude", f"must be a list, got {_shown(value)}")
        exclusions = []
        for position, entry in enumerate(value, start=1):
            name = f"exclude[{position}]"
            allowed = {"where", "phrases", "match", "together_with"}
            spec = self.mapping(entry, name, allowed, {"phrases"})
            together = spec.get("together_with")
            exclusions.append(
                Exclusion(
                    where=self.window(spec.get("where", "anywhere"), f"{name}.where"),
                    phrases=self.phrases(spec["phrases"], f"{name}.phrases"),
                    match=self.choice(spec.get("match", "lemma"), f"{name}.match", MATCH_MODES),
                    together_with=None
                    if together is None
                    else self.identifier(together, f"{name}.together_with"),
                )
            )
        return tuple(exclusions)

    def fuzzy(self, value: object) -> FuzzyOptions:
        spec = self.mapping(value, "fuzzy", {"min_similarity", "min_length"})
        defaults = FuzzyOptions()
        similarity = self.number(
            spec.get("min_similarity", defaults.min_similarity), "fuzzy.min_similarity", upper=100
        )
        length = self.positive(
            spec.get("min_length", defaults.min_length), "fuzzy.min_length", integer=True
        )
        return FuzzyOptions(min_similarity=similarity, min_length=length)


    def hearing(self, value: object, defaults: HearingOptions) -> HearingOptions:
        allowed = {"min_word_probability", "near_miss_similarity", "near_miss_min_letters",
                   "near_miss_max_probability", "max_unheard_s"}
        spec = self.mapping(value, "hearing", allowed)
        probability = self.number(spec.get("min_word_probability", defaults.min_word_probability),
                                  "hearing.min_word_probability", upper=1)
        similarity = self.number(spec.get("near_miss_similarity", defaults.near_miss_similarity),
                                 "hearing.near_miss_similarity", upper=100)
        letters = self.positive(
            spec.get("near_miss_min_letters", defaults.near_miss_min_letters),
            "hearing.near_miss_min_letters", integer=True)
        unsure_below = self.number(
            spec.get("near_miss_max_probability", defaults.near_miss_max_probability),
            "hearing.near_miss_max_probability", upper=1)
        unheard = self.number(spec.get("max_unheard_s", defaults.max_unheard_s),
                              "hearing.max_unheard_s")
        return HearingOptions(unheard, probability, similarity, letters, unsure_below)


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


def _content_hash(content: dict[str, Any], items: tuple[Item, ...]) -> str:
    """Hash of what the scorecard means; comments and formatting do not change it."""
    canonical = json.dumps(_plain({**content, "items": items}), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _plain(value: object) -> object:
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, Mapping):
        return {key: _plain(entry) for key, entry in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(entry) for entry in value]
    return value
