"""The checks behind scorecard items, one small registered function per item kind and condition.

Each docstring states its rule with examples against the default scorecard, one per line:

    <Verdict> [<item>/<language>(, <option>)*]: <speaker>@<start s>: <text> | ...

Verdict is Okay (passed), Fail (failed), Review or N/A. Options: `mono` (speaker unknown: write
utterances as unknown@...), `call <n> s` (the call's duration), `agent <name>` (the agent's
name, as the call record knows it), `heard <p>` (the recognizer gave every word the probability
p; without it the words carry none, as in a transcript made by people), `unheard <a>-<b>`
(the agent's track held speech from a to b s that gave the recognizer no words),
`drowned <a>-<b>` (noise as loud as the agent's speech there, and no speech found). Every
utterance lasts 0.4 s a word, at least 1 s; the call lasts until the last utterance ends.
tests/scoring turns every example into a test case.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from callqa.qa.scoring import explain
from callqa.qa.scoring.call import AnalyzedCall, AnalyzedUtterance, ScoringContext, Selection
from callqa.qa.scoring.explain import Explanation
from callqa.qa.scoring.matching import (
    METHOD_RANK,
    FuzzyOptions,
    PhraseMatch,
    PhraseMatcher,
    compile_phrases,
)
from callqa.qa.scoring.pipelines import analyzer
from callqa.qa.scoring.results import Evidence, ItemResult, LookedIn, Verdict
from callqa.qa.scoring.scorecard import Item, Scorecard, Window

_CONTEXT_EVIDENCE = 3  # matches that do not count, shown beside a failure
_HANG_UP_WINDOW = Window(region="closing", seconds=20.0)

# Evidence notes, language-neutral codes a UI can translate.
NOTE_SPEAKER_UNKNOWN = "speaker_unknown"
NOTE_OTHER_SPEAKER = "other_speaker"
NOTE_OUTSIDE_WINDOW = "outside_window"
NOTE_EXCLUDED = "excluded"
NOTE_FUZZY_ONLY = "fuzzy_only"
NOTE_NEAR_MISS = "near_miss"
NOTE_UNSURE = "unsure"


@dataclass(frozen=True)
class CompiledExclusion:
    where: Window
    matcher: PhraseMatcher
    companion: PhraseMatcher | None  # the same turn must also hold one of these phrases


@dataclass(frozen=True)
class CompiledItem:
    """A scorecard item with its phrases compiled for one language."""

    item: Item
    language: str
    matcher: PhraseMatcher | None  # None: the item has no phrases in this language
    exclusions: tuple[CompiledExclusion, ...]
    fuzzy: FuzzyOptions

    def matchers(self, context: ScoringContext) -> list[PhraseMatcher]:
        matchers = [self.matcher] if self.matcher else []
        if self.item.agent_name and context.agent_name:
            matchers.append(name_matcher(context.agent_name, self.language, self.fuzzy))
        return matchers


def compile_item(item: Item, scorecard: Scorecard, language: str) -> CompiledItem:
    fuzzy = scorecard.fuzzy
    matcher = _matcher(item.phrases.get(language, ()), language, fuzzy, item.match)
    exclusions = []
    for exclusion in item.exclude:
        excluded = _matcher(exclusion.phrases.get(language, ()), language, fuzzy, exclusion.match)
        if excluded is None:
            continue
        companion = None
        if exclusion.together_with:
            other = scorecard.item(exclusion.together_with)
            companion = _matcher(other.phrases.get(language, ()), language, fuzzy, other.match)
            if companion is None:  # no phrases to be together with in this language
                continue
        exclusions.append(CompiledExclusion(exclusion.where, excluded, companion))
    return CompiledItem(item, language, matcher, tuple(exclusions), fuzzy)


def _matcher(
    texts: tuple[str, ...], language: str, fuzzy: FuzzyOptions, mode: str
) -> PhraseMatcher | None:
    phrases = compile_phrases(texts, analyzer(language))
    return PhraseMatcher(phrases, fuzzy, lemmas=mode == "lemma") if phrases else None


@lru_cache(maxsize=256)
def name_matcher(name: str, language: str, fuzzy: FuzzyOptions) -> PhraseMatcher:
    """The whole name, or any part of it (3+ letters), as phrases."""
    parts = [part for part in name.split() if len(part) >= 3]
    return PhraseMatcher(compile_phrases([name, *parts], analyzer(language)), fuzzy)


Check = Callable[[CompiledItem, AnalyzedCall, ScoringContext], ItemResult]
Condition = Callable[[Item, AnalyzedCall], Explanation | None]

KIND_CHECKS: dict[str, Check] = {}
CONDITIONS: dict[str, Condition] = {}


def kind(name: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        KIND_CHECKS[name] = check
        return check

    return register


def condition(name: str) -> Callable[[Condition], Condition]:
    """Registers a not-applicable condition; `name` is its field under `not_applicable_when`."""

    def register(check: Condition) -> Condition:
        CONDITIONS[name] = check
        return check

    return register


def check_item(compiled: CompiledItem, call: AnalyzedCall, context: ScoringContext) -> ItemResult:
    for check in CONDITIONS.values():
        reason = check(compiled.item, call)
        if reason is not None:
            return _result(compiled.item, Verdict.NOT_APPLICABLE, reason, None)
    return KIND_CHECKS[compiled.item.kind](compiled, call, context)


# --- item kinds ------------------------------------------------------------------------------


@kind("required")
def required(compiled: CompiledItem, call: AnalyzedCall, context: ScoringContext) -> ItemResult:
    """The item's speaker says one of its phrases inside its window (exact, lemma, then fuzzy).

    A match in a mono call may be the customer's words: review. The customer saying it never
    counts for the agent, nor does a match the item excludes, nor one outside the window.

    Okay [greeting/pl]: agent@0.6: Dzień dobry, w czym mogę pomóc?
    Okay [greeting/pl]: agent@0.6: dzien dobry, w czym moge pomoc
    Okay [greeting/pl]: agent@0.6: Dobry wieczór, Telmax, słucham.
    Okay [greeting/pl]: agent@0.6: Witam, tu biuro obsługi klienta.
    Fail [greeting/pl]: agent@0.6: Telmax, słucham. | customer@3: Dzień dobry.
    Fail [greeting/pl]: agent@0.6: Tak, słucham, o co chodzi?
    Fail [greeting/pl, call 60 s]: agent@0.6: Słucham. | agent@40: Dzień dobry.
    Review [greeting/pl, mono]: unknown@0.6: Dzień dobry, w czym mogę pomóc?
    Fail [greeting/pl, mono]: unknown@0.6: Słucham. | unknown@3: Mam problem z fakturą.
    Review [greeting/pl, heard 0.3]: agent@0.6: Tak, słucham, o co chodzi?
    Review [greeting/pl, unheard 0-4]: agent@5: Proszę podać numer zamówienia.
    Review [greeting/pl, drowned 0-4]: agent@5: Proszę podać numer zamówienia.
    Fail [greeting/pl, heard 0.9]: agent@0.6: Tak, słucham, o co chodzi?
    Review [greeting/pl, heard 0.6]: agent@0.6: Dzień dobr, w czym mogę pomóc?
    Okay [greeting/pl, heard 0.6]: agent@0.6: Dzień dobry, w czym mogę pomóc?
    Okay [greeting/en]: agent@0.6: Good morning, Northwind, how can I help you?
    Okay [greeting/en]: agent@0.6: Hello, this is customer service.
    Okay [greeting/en]: agent@0.6: Thank you for calling Northwind, how can I help?
    Fail [greeting/en]: agent@0.6: Yeah, what do you need? | customer@3: Hello, I have a problem.
    Fail [greeting/en]: agent@0.6: Northwind. Go ahead.
    Review [greeting/en, heard 0.3]: agent@0.6: Northwind. Go ahead.
    Review [greeting/en, unheard 0-5]: agent@6: I am sorry to hear that.
    Fail [greeting/en, unheard 0-1]: agent@6: I am sorry to hear that.
    Review [greeting/en, drowned 0-5]: agent@6: I am sorry to hear that.
    Fail [greeting/en, drowned 0-1]: agent@6: I am sorry to hear that.
    Fail [greeting/en, heard 0.9]: agent@0.6: Northwind. Go ahead.
    Review [greeting/en, heard 0.6]: agent@0.6: Hank you for calling Northwind.
    Fail [greeting/en]: agent@0.6: Hank you for calling Northwind.
    Okay [introduction/pl]: agent@0.6: Dzień dobry, nazywam się Anna Kowalska.
    Okay [introduction/pl]: agent@0.6: Dzień dobry, Anna Kowalska z tej strony.
    Okay [introduction/pl, agent Tomasz Lewandowski]: agent@0.6: Witam, tu Tomasz Lewandowski.
    Fail [introduction/pl]: agent@0.6: Witam, tu Tomasz Lewandowski.
    Fail [introduction/pl]: agent@0.6: Dzień dobry, firma Telmax, słucham.
    Okay [introduction/en]: agent@0.6: Good morning, my name is John Carter.
    Okay [introduction/en]: agent@0.6: Hi, you're speaking with Emily.
    Okay [introduction/en, agent Emily Brooks]: agent@0.6: Northwind, Emily Brooks speaking.
    Fail [introduction/en]: agent@0.6: Good afternoon, Northwind. What can I do for you?
    Okay [thanks/pl]: agent@1: Dzień dobry. | agent@25: Dziękuję za informację.
    Okay [thanks/pl]: agent@1: Dzień dobry. | agent@25: Dziękujemy za telefon.
    Okay [thanks/pl]: agent@1: Dzień dobry. | agent@25: Bardzo dziękujemy.
    Okay [thanks/pl]: agent@1: Dzień dobry. | agent@25: Wielkie dzięki za cierpliwość.
    Fail [thanks/pl]: agent@1: Dzień dobry. | customer@25: Dziękuję bardzo. | agent@30: Okej.
    Fail [thanks/pl]: agent@1: Dzień dobry. | agent@25: Dzięki temu paczka dotrze szybciej.
    Okay [thanks/en]: agent@1: Hello. | agent@20: Thank you for your patience.
    Okay [thanks/en]: agent@1: Hello. | agent@20: Thanks for letting me know.
    Okay [thanks/en]: agent@1: Hello. | agent@30: Thanks for calling.
    Okay [thanks/en]: agent@1: Hello. | agent@30: Thanks for calling, have a nice day.
    Okay [thanks/en]: agent@1: Hello. | agent@30: Thanks for your patience, have a nice day.
    Okay [thanks/pl]: agent@1: Dzień dobry. | agent@30: Dziękuję za rozmowę, do widzenia.
    Okay [thanks/pl]: agent@1: Halo. | agent@30: Dziękuję za rozmowę. | agent@32: Do widzenia.
    Okay [thanks/pl]: agent@1: Dzień dobry. | agent@30: Dziękuję za rozmowę.
    Fail [thanks/en]: agent@0.6: Good morning, thank you for calling Northwind. | agent@25: Bye.
    Fail [thanks/en]: agent@1: Hello. | customer@20: Thank you so much. | agent@25: Okay.
    Review [thanks/en, heard 0.6]: agent@1: Hello. | agent@20: Hank you for your patience.
    Review [thanks/pl, heard 0.6]: agent@1: Dzień dobry. | agent@25: Dzinki za informację.
    Fail [thanks/pl, heard 0.9]: agent@1: Dzień dobry. | agent@25: Proszę chwilę poczekać.
    Okay [goodbye/pl]: agent@1: Dzień dobry. | agent@30: Do widzenia, miłego dnia.
    Okay [goodbye/pl]: agent@1: Dzień dobry. | agent@30: Dziękuję za rozmowę, do usłyszenia.
    Okay [goodbye/pl]: agent@1: Dzień dobry. | agent@30: Życzę miłego dnia.
    Fail [goodbye/pl]: agent@1: Dzień dobry. | agent@30: No to tyle. | customer@33: Do widzenia.
    Fail [goodbye/pl]: agent@1: Dzień dobry. | agent@30: Dobra, to wszystko.
    Review [goodbye/pl, heard 0.6]: agent@1: Dzień dobry. | agent@30: Dziękuję, do ruszenia.
    Fail [goodbye/pl, heard 0.95]: agent@1: Dzień dobry. | agent@30: Dobra, to wszystko.
    Review [goodbye/pl, heard 0.95, unheard 34-37]: agent@1: Dzień dobry. | agent@30: Dobra.
    Fail [goodbye/pl, heard 0.95, unheard 34-35]: agent@1: Dzień dobry. | agent@30: Dobra.
    Review [goodbye/pl, heard 0.9]: agent@1: Halo. | agent@30: Tak. | agent@31: Tak. | agent@32: Tak
    Fail [goodbye/pl, heard 0.9]: agent@1: Halo. | agent@30: Tak. | agent@32: Tak.
    Fail [goodbye/pl, heard 0.9]: agent@30: No. | customer@31: Aha. | agent@32: No. | agent@33: No.
    Review [goodbye/pl, heard 0.3]: agent@1: Dzień dobry. | agent@30: Dobra, to wszystko.
    Okay [goodbye/en]: agent@1: Hello. | agent@30: Thanks for calling, have a nice day.
    Okay [goodbye/en]: agent@1: Hello. | agent@30: Goodbye, take care.
    Okay [goodbye/en]: agent@1: Hello. | agent@30: Good-bye!
    Okay [goodbye/en]: agent@1: Hello. | agent@30: Thanks for calling, have an ice day.
    Fail [goodbye/en]: agent@1: Hello. | agent@30: Thank you for calling.
    Fail [goodbye/en]: agent@1: Hello. | agent@30: Okay, that is it then. | customer@33: Bye.
    Review [goodbye/en, heard 0.3]: agent@1: Hello. | agent@30: Right now.
    Fail [goodbye/en, heard 0.9]: agent@1: Hello. | agent@30: Right now.
    Review [goodbye/en, mono]: unknown@1: Hello. | unknown@30: Goodbye, take care.
    Okay [anything_else/pl]: agent@1: Dzień dobry. | agent@30: Czy mogę jeszcze w czymś pomóc?
    Okay [anything_else/pl]: agent@1: Dzień dobry. | agent@30: Czy coś jeszcze mogę dla Pana zrobić?
    Fail [anything_else/pl]: agent@1: Dzień dobry. | agent@30: W czym mogę pomóc?
    Okay [anything_else/en]: agent@1: Hello. | agent@30: Is there anything else I can help you with?
    Fail [anything_else/en]: agent@1: Hello. | agent@30: Okay, that is it then.
    Okay [resolution_check/pl]: agent@1: Witam. | agent@30: Czy jest Pan zadowolony z rozwiązania?
    Okay [resolution_check/pl]: agent@1: Dzień dobry. | agent@30: Czy to rozwiązuje Pani problem?
    Okay [resolution_check/pl]: agent@1: Dzień dobry. | agent@30: Czy udało mi się Panu pomóc?
    Fail [resolution_check/pl]: agent@1: Dzień dobry. | agent@30: Czy mogę jeszcze w czymś pomóc?
    Okay [resolution_check/en]: agent@1: Hello. | agent@30: Did that solve it for you?
    Okay [resolution_check/en]: agent@1: Hello. | agent@30: Are you happy with that solution?
    Fail [resolution_check/en]: agent@1: Hi. | agent@30: Is there anything else I can help you with?
    """
    item = compiled.item
    matchers = compiled.matchers(context)
    if not matchers:
        return _no_phrases(item, compiled.language)
    selection = call.select(item.speaker, item.where)
    found = _search(compiled, call, selection, matchers, allow_fuzzy=False)
    if not any(f.certain for f in found) and item.fuzzy:
        found = _search(compiled, call, selection, matchers, allow_fuzzy=True)
    certain = [f for f in found if f.certain]
    looked_in = selection.looked_in
    if certain:
        evidence = tuple(f.evidence() for f in certain)
        return _result(item, Verdict.PASSED, explain.said(item, evidence[0]), looked_in, evidence)
    if found:  # only where the speaker is unknown
        evidence = tuple(f.evidence(note=NOTE_SPEAKER_UNKNOWN) for f in found)
        explanation = explain.unknown_speaker(item, evidence[0])
        return _result(item, Verdict.REVIEW, explanation, looked_in, evidence)
    return _not_found(compiled, call, selection, matchers)


def _not_found(
    compiled: CompiledItem, call: AnalyzedCall, selection: Selection,
    matchers: list[PhraseMatcher],
) -> ItemResult:
    """No phrase in the window: failed only where the recognizer heard the window clearly and
    wrote nothing close to a phrase; else review, with the reason and the candidate."""
    item, looked_in, hearing = compiled.item, selection.looked_in, selection.hearing
    near = _near_misses(compiled, call, selection, matchers)
    if near:
        evidence = tuple(f.evidence(counted=False, note=NOTE_NEAR_MISS) for f in near)
        return _result(item, Verdict.REVIEW, explain.near_miss(item, evidence[0]), looked_in,
                       evidence, hearing)
    evidence = _not_counted(compiled, call, selection, matchers)
    if selection.unheard_s > item.hearing.max_unheard_s:
        explanation = explain.unheard(item, looked_in, selection.unheard_s, call.duration,
                                      call.speakers_known)
        return _result(item, Verdict.REVIEW, explanation, looked_in, evidence, hearing)
    if selection.drowned_s > item.hearing.max_unheard_s:
        explanation = explain.drowned(item, looked_in, selection.drowned_s, call.duration,
                                      call.speakers_known)
        return _result(item, Verdict.REVIEW, explanation, looked_in, evidence, hearing)
    if selection.repetition is not None:
        repeated, times = selection.repetition
        explanation = explain.repeated(item, looked_in, repeated, times, call.duration,
                                       call.speakers_known)
        return _result(item, Verdict.REVIEW, explanation, looked_in, evidence, hearing)
    if hearing is not None and hearing < item.hearing.min_word_probability:
        at = selection.least_clear[0].start if selection.least_clear else looked_in.start
        explanation = explain.unsure(item, looked_in, hearing, at, call.duration,
                                     call.speakers_known)
        return _result(item, Verdict.REVIEW, explanation, looked_in, evidence, hearing)
    explanation = explain.not_found(item, looked_in, call.duration, call.speakers_known)
    return _result(item, Verdict.FAILED, explanation, looked_in, evidence, hearing)


@kind("forbidden")
def forbidden(compiled: CompiledItem, call: AnalyzedCall, context: ScoringContext) -> ItemResult:
    """The item's speaker never says one of its phrases inside its window.

    Said by the agent: failed, with every occurrence. Possibly said (a mono call, or only a fuzzy
    match): review, since a person should hear it before the call is failed.

    Okay [forbidden_phrases/pl]: agent@1: Sprawdzę to w systemie.
    Okay [forbidden_phrases/pl]: agent@1: Dzień dobry. | customer@4: Nie wiem, który to numer.
    Fail [forbidden_phrases/pl]: agent@1: Nie wiem, proszę zadzwonić później.
    Fail [forbidden_phrases/pl]: agent@1: Tego nie wiemy.
    Okay [forbidden_phrases/pl]: agent@1: Kurier nie wie, gdzie jest paczka, więc sprawdzę to.
    Fail [forbidden_phrases/pl]: agent@1: To nie moja sprawa.
    Review [forbidden_phrases/pl, mono]: unknown@1: Nie wiem, proszę zadzwonić później.
    Review [forbidden_phrases/pl, heard 0.3]: agent@1: Nie wiem, proszę zadzwonić później.
    Fail [forbidden_phrases/pl, heard 0.9]: agent@1: Nie wiem, proszę zadzwonić później.
    Okay [forbidden_phrases/en]: agent@1: Let me check that for you.
    Fail [forbidden_phrases/en]: agent@1: I don't know, call again later.
    Fail [forbidden_phrases/en]: agent@1: I do not know.
    Review [forbidden_phrases/en, heard 0.3]: agent@1: I do not know.
    Okay [forbidden_phrases/en]: agent@1: Oh, I didn't know that. Let me fix it.
    Fail [forbidden_phrases/en]: agent@1: Sorry, that's not my problem.
    Okay [forbidden_phrases/en]: agent@1: Hello. | customer@4: I don't know my account number.
    Review [forbidden_phrases/en]: agent@1: Sorry, that is not my problen.
    """
    item = compiled.item
    if not compiled.matcher:
        return _no_phrases(item, compiled.language)
    selection = call.select(item.speaker, item.where)
    matchers = [compiled.matcher]
    found = _search(compiled, call, selection, matchers, allow_fuzzy=False)
    certain = [f for f in found if f.certain]
    looked_in = selection.looked_in
    heard = [f for f in certain
             if f.utterance.word_probability(f.match) >= item.hearing.min_word_probability]
    if heard:
        evidence = tuple(f.evidence() for f in heard)
        return _result(item, Verdict.FAILED, explain.said(item, evidence[0]), looked_in, evidence)
    if certain:  # said, by the recognizer's account, but it was unsure of those very words
        evidence = tuple(f.evidence(note=NOTE_UNSURE) for f in certain)
        return _result(item, Verdict.REVIEW, explain.unsure_forbidden(item, evidence[0]),
                       looked_in, evidence)
    if found:  # only where the speaker is unknown
        evidence = tuple(f.evidence(note=NOTE_SPEAKER_UNKNOWN) for f in found)
        explanation = explain.unknown_speaker(item, evidence[0])
        return _result(item, Verdict.REVIEW, explanation, looked_in, evidence)
    fuzzy = _search(compiled, call, selection, matchers, allow_fuzzy=True) if item.fuzzy else []
    if fuzzy:
        evidence = tuple(f.evidence(counted=False, note=NOTE_FUZZY_ONLY) for f in fuzzy)
        return _result(item, Verdict.REVIEW, explain.maybe_said(item, evidence[0]), looked_in,
                       evidence)
    explanation = explain.not_found(item, looked_in, call.duration, call.speakers_known)
    return _result(item, Verdict.PASSED, explanation, looked_in)


# --- not-applicable conditions ---------------------------------------------------------------


@condition("call_shorter_than")
def call_shorter_than(item: Item, call: AnalyzedCall) -> Explanation | None:
    """A call shorter than the item's limit is too short to judge the item.

    N/A [goodbye/en, call 12 s]: agent@1: Hello? | customer@4: Sorry, wrong number.
    N/A [thanks/pl, call 15 s]: agent@1: Słucham? | customer@4: Przepraszam, pomyłka.
    Fail [goodbye/en, call 40 s]: agent@1: Hello? | customer@4: Sorry, wrong number.
    """
    limit = item.not_applicable_when.call_shorter_than
    if limit is None or call.duration >= limit:
        return None
    return explain.too_short(call.duration, limit)


@condition("customer_hung_up")
def customer_hung_up(item: Item, call: AnalyzedCall) -> Explanation | None:
    """The customer hung up before the close: the customer spoke last and the agent said nothing
    in the item's closing window (or the last 20 s). Mono calls cannot tell, so never apply.

    N/A [goodbye/pl]: agent@1: Dzień dobry. | agent@8: Sprawdzę. | customer@40: Dobra, nieważne.
    N/A [goodbye/en]: agent@1: Hello. | agent@8: Let me check. | customer@40: Forget it.
    Fail [goodbye/pl]: agent@1: Dzień dobry. | customer@30: Do widzenia. | agent@33: Okej.
    Fail [goodbye/en, mono]: unknown@1: Hello. | unknown@8: Let me check. | unknown@40: Forget it.
    """
    if not (item.not_applicable_when.customer_hung_up and call.speakers_known and call.utterances):
        return None
    last = max(call.utterances, key=lambda u: (u.utterance.end, u.index))
    if last.speaker != "customer":
        return None
    window = item.where if item.where.region == "closing" else _HANG_UP_WINDOW
    selection = call.select("agent", window)
    if selection.utterances:
        return None
    return explain.hung_up(selection.looked_in, call.duration)


# --- searching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    utterance: AnalyzedUtterance
    match: PhraseMatch
    certain: bool  # said by the item's speaker, not just possibly (speaker unknown)

    def evidence(self, counted: bool = True, note: str = "") -> Evidence:
        return self.utterance.evidence(self.match, counted=counted, note=note)

    def rank(self) -> tuple[int, float, float, int]:
        """Best method first, then most confident, then earliest in the call."""
        match = self.match
        return (METHOD_RANK[match.method], -match.confidence, self.utterance.utterance.start,
                match.start)


def _search(
    compiled: CompiledItem,
    call: AnalyzedCall,
    selection: Selection,
    matchers: list[PhraseMatcher],
    allow_fuzzy: bool,
) -> list[Found]:
    """Matches in the window by (possibly) the item's speaker, minus excluded ones, best first."""
    speaker = compiled.item.speaker
    excluded = _excluded_matches(compiled, call)
    found = []
    for utterance in selection.utterances:
        for matcher in matchers:
            for match in matcher.find(utterance.tokens, allow_fuzzy):
                if any(span.contains(match) for span in excluded.get(utterance.index, ())):
                    continue
                found.append(Found(utterance, match, call.is_certain(utterance, speaker)))
    return sorted(_outermost(found), key=Found.rank)


def _outermost(found: list[Found]) -> list[Found]:
    """One match per place: drops matches inside a longer or better one in the same utterance
    ("Anna" inside "Anna Kowalska"; "hello" by lemma of "hi" where "hello" matched exactly)."""
    kept: list[Found] = []
    longest_first = sorted(
        found, key=lambda f: (f.utterance.index, f.match.start - f.match.stop, f.rank())
    )
    for candidate in longest_first:
        if not any(
            k.utterance.index == candidate.utterance.index and k.match.contains(candidate.match)
            for k in kept
        ):
            kept.append(candidate)
    return kept


def _excluded_matches(compiled: CompiledItem, call: AnalyzedCall) -> dict[int, list[PhraseMatch]]:
    spans: dict[int, list[PhraseMatch]] = {}
    for exclusion in compiled.exclusions:
        for utterance in call.select(compiled.item.speaker, exclusion.where).utterances:
            matches = exclusion.matcher.find(utterance.tokens, allow_fuzzy=True)
            if exclusion.companion:
                matches = [
                    m for m in matches if _has_companion(call, utterance, m, exclusion.companion)
                ]
            if matches:
                spans.setdefault(utterance.index, []).extend(matches)
    return spans


def _has_companion(
    call: AnalyzedCall, utterance: AnalyzedUtterance, match: PhraseMatch, companion: PhraseMatcher
) -> bool:
    """Whether the same turn also holds one of the companion phrases, apart from `match`."""
    for neighbour in call.turn_of(utterance):
        for other in companion.find(neighbour.tokens, allow_fuzzy=True):
            if neighbour is not utterance or other.stop <= match.start or match.stop <= other.start:
                return True
    return False


def _near_misses(
    compiled: CompiledItem, call: AnalyzedCall, selection: Selection,
    matchers: list[PhraseMatcher],
) -> list[Found]:
    """Near misses in the window, the closest first, outside excluded phrases."""
    hearing = compiled.item.hearing
    excluded = _excluded_matches(compiled, call)
    found = []
    for utterance in selection.utterances:
        spans = excluded.get(utterance.index, ())
        for matcher in matchers:
            for match in matcher.near_misses(utterance.tokens, hearing.near_miss_similarity,
                                             hearing.near_miss_min_letters):
                if any(span.start < match.stop and match.start < span.stop for span in spans):
                    continue
                if utterance.word_probability(match) >= hearing.near_miss_max_probability:
                    continue
                found.append(Found(utterance, match, call.is_certain(utterance,
                                                                     compiled.item.speaker)))
    def closest(f: Found) -> tuple[float, float]:
        return -f.match.similarity, f.utterance.utterance.start

    return sorted(_outermost(found), key=closest)[:_CONTEXT_EVIDENCE]


def _not_counted(
    compiled: CompiledItem,
    call: AnalyzedCall,
    selection: Selection,
    matchers: list[PhraseMatcher],
) -> tuple[Evidence, ...]:
    """Exact or lemma matches that did not count, so a reviewer sees what was near."""
    speaker = compiled.item.speaker
    in_window = {u.index for u in selection.utterances}
    excluded = _excluded_matches(compiled, call)
    notes: dict[tuple[int, int, int], str] = {}
    found = []
    for utterance in call.utterances:
        for matcher in matchers:
            for match in matcher.find(utterance.tokens, allow_fuzzy=False):
                if not call.is_certain(utterance, speaker) and utterance.speaker != "unknown":
                    note = NOTE_OTHER_SPEAKER
                elif utterance.index not in in_window:
                    note = NOTE_OUTSIDE_WINDOW
                elif any(span.contains(match) for span in excluded.get(utterance.index, ())):
                    note = NOTE_EXCLUDED
                else:
                    continue
                notes[utterance.index, match.start, match.stop] = note
                found.append(Found(utterance, match, certain=False))
    shown = sorted(_outermost(found), key=lambda f: (f.utterance.utterance.start, f.rank()))
    return tuple(
        f.evidence(counted=False, note=notes[f.utterance.index, f.match.start, f.match.stop])
        for f in shown[:_CONTEXT_EVIDENCE]
    )


def _result(
    item: Item,
    verdict: Verdict,
    explanation: dict[str, str],
    looked_in: LookedIn | None,
    evidence: tuple[Evidence, ...] = (),
    hearing: float | None = None,
) -> ItemResult:
    return ItemResult(
        item_id=item.id,
        label=dict(item.label),
        verdict=verdict,
        explanation=explanation,
        looked_in=looked_in,
        evidence=evidence,
        weight=item.weight,
        critical=item.critical,
        hearing=hearing,
    )


def _no_phrases(item: Item, language: str) -> ItemResult:
    return _result(item, Verdict.REVIEW, explain.no_phrases(language), None)
