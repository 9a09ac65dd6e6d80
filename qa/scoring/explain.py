"""Explanations of verdicts, in English and Polish: what was found, or where it was looked for."""
from __future__ import annotations

from callqa.qa.scoring.results import Evidence, LookedIn
from callqa.qa.scoring.scorecard import Item
from callqa.qa.transcript import Utterance

Explanation = dict[str, str]  # {"en": ..., "pl": ...}

_WHO = {
    "en": {"agent": "the agent", "customer": "the customer", "any": "anyone"},
    "pl": {"agent": "konsultant", "customer": "klient", "any": "ktokolwiek"},
}
_WHO_IN_MONO = {"en": "anyone (mono recording)", "pl": "nikt, nagranie mono"}
_WHOSE = {
    "en": {"agent": "agent ", "customer": "customer ", "any": ""},
    "pl": {"agent": " konsultanta", "customer": " klienta", "any": ""},
}
# How a phrase was matched (Evidence.method), as the UI names it in each language.
_METHOD = {
    "en": {"exact": "exact", "lemma": "lemma", "fuzzy": "fuzzy"},
    "pl": {"exact": "dokładnie", "lemma": "forma podstawowa", "fuzzy": "przybliżenie"},
}
# Scorecard phrase languages by code, for the explanation that an item has none in it.
_LANGUAGE_NAMES = {
    "en": {"pl": "Polish", "en": "English"},
    "pl": {"pl": "polskim", "en": "angielskim"},
}


def seconds(value: float, language: str) -> str:
    """12.0 -> "12 s"; 0.6 -> "0.6 s" ("0,6 s" in Polish)."""
    text = f"{value:.1f}".removesuffix(".0")
    return (text.replace(".", ",") if language == "pl" else text) + " s"


def _decimal(value: float, language: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if language == "pl" else text


def window(looked_in: LookedIn, duration: float, speakers_known: bool, language: str) -> str:
    """ "0–20 s (first 2 agent utterances)", "the whole call (0–35 s)", in `language`."""
    start = seconds(looked_in.start, language).removesuffix(" s")
    span = f"{start}–{seconds(looked_in.end, language)}"
    if looked_in.utterances == "all":
        if looked_in.start == 0 and looked_in.end >= duration:
            return f"the whole call ({span})" if language == "en" else f"całej rozmowie ({span})"
        return span
    position, count = looked_in.utterances.split()
    speaker = looked_in.speaker if speakers_known else "any"
    if language == "en":
        noun = "utterance" if count == "1" else "utterances"
        return f"{span} ({position} {count} {_WHOSE['en'][speaker]}{noun})"
    return f"{span} ({_polish_utterances(position == 'first', int(count))}{_WHOSE['pl'][speaker]})"


def _polish_utterances(first: bool, count: int) -> str:
    if count == 1:
        return "pierwsza wypowiedź" if first else "ostatnia wypowiedź"
    few = count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14)
    if few:
        return f"{'pierwsze' if first else 'ostatnie'} {count} wypowiedzi"
    return f"{'pierwszych' if first else 'ostatnich'} {count} wypowiedzi"


def _quoted(text: str, language: str) -> str:
    return f"„{text}”" if language == "pl" else f"“{text}”"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def said(item: Item, evidence: Evidence) -> Explanation:
    return {
        language: (
            f"{item.label[language]}: {_WHO[language][item.speaker]}, "
            f"{seconds(evidence.start, language)}: {_quoted(evidence.matched, language)} "
            f"({_METHOD[language].get(evidence.method, evidence.method)})"
        )
        for language in ("en", "pl")
    }


def unknown_speaker(item: Item, evidence: Evidence) -> Explanation:
    at_en, at_pl = seconds(evidence.start, "en"), seconds(evidence.start, "pl")
    return {
        "en": f"{item.label['en']}: “{evidence.matched}” at {at_en}, but the speaker is unknown "
        f"(mono recording): it may be the customer's words",
        "pl": f"{item.label['pl']}: „{evidence.matched}” w {at_pl}, ale mówca jest nieznany "
        f"(nagranie mono): to mogą być słowa klienta",
    }


def maybe_said(item: Item, evidence: Evidence) -> Explanation:
    similarity = f"{evidence.similarity:g}%"
    at_en, at_pl = seconds(evidence.start, "en"), seconds(evidence.start, "pl")
    return {
        "en": f"possibly {_lower_first(item.label['en'])}: “{evidence.matched}” at {at_en} "
        f"resembles “{evidence.phrase}” ({similarity}); listen before failing the call",
        "pl": f"możliwe: {_lower_first(item.label['pl'])}: „{evidence.matched}” w {at_pl} "
        f"przypomina „{evidence.phrase}” ({similarity}); odsłuchaj przed oceną",
    }


def _who_and_where(
    item: Item, looked_in: LookedIn, duration: float, speakers_known: bool
) -> tuple[dict[str, str], dict[str, str]]:
    """Whose words an item looked for and where, in both languages."""
    who = {
        language: _WHO[language][item.speaker] if speakers_known else _WHO_IN_MONO[language]
        for language in ("en", "pl")
    }
    where = {
        language: window(looked_in, duration, speakers_known, language) for language in ("en", "pl")
    }
    return who, where


def not_found(
    item: Item, looked_in: LookedIn, duration: float, speakers_known: bool
) -> Explanation:
    """ "no greeting by the agent in 0–20 s (first 2 agent utterances)"."""
    who, where = _who_and_where(item, looked_in, duration, speakers_known)
    return {
        "en": f"no {_lower_first(item.label['en'])} by {who['en']} in {where['en']}",
        "pl": f"brak: {_lower_first(item.label['pl'])} ({who['pl']}) w {where['pl']}",
    }


def near_miss(item: Item, evidence: Evidence) -> Explanation:
    """ "possibly thanks: “Hank you” at 31 s is close to “thank you” (93%) ..."."""
    similarity = f"{evidence.similarity:g}%"
    at_en, at_pl = seconds(evidence.start, "en"), seconds(evidence.start, "pl")
    return {
        "en": f"possibly {_lower_first(item.label['en'])}: “{evidence.matched}” at {at_en} is "
        f"close to “{evidence.phrase}” ({similarity}), below the match threshold: the "
        f"recognizer may have misheard it; listen before failing",
        "pl": f"możliwe: {_lower_first(item.label['pl'])}: „{evidence.matched}” w {at_pl} jest "
        f"bliskie „{evidence.phrase}” ({similarity}), poniżej progu dopasowania: system mógł "
        f"źle usłyszeć; odsłuchaj przed oceną",
    }


def unsure(item: Item, looked_in: LookedIn, hearing: float, at: float, duration: float,
           speakers_known: bool) -> Explanation:
    """ "no greeting found, but the agent's words in 0–20 s were not heard clearly (mean word
    probability 0.38 in the utterance at 0.6 s): listen before failing"."""
    who, where = _who_and_where(item, looked_in, duration, speakers_known)
    return {
        "en": f"no {_lower_first(item.label['en'])} found, but the words of {who['en']} in "
        f"{where['en']} were not heard clearly (mean word probability {hearing:.2f} in the "
        f"utterance at {seconds(at, 'en')}): listen before failing",
        "pl": f"nie znaleziono: {_lower_first(item.label['pl'])}, ale słowa ({who['pl']}) w "
        f"{where['pl']} nie zostały wyraźnie rozpoznane (średnia pewność słów "
        f"{_decimal(hearing, 'pl')} w wypowiedzi w {seconds(at, 'pl')}): odsłuchaj przed "
        f"oceną",
    }


def repeated(item: Item, looked_in: LookedIn, utterance: Utterance, times: int,
             duration: float, speakers_known: bool) -> Explanation:
    """ "no goodbye found, but in 20–40 s the recognizer wrote “Krzysztof!” 4 times in a row
    from 30 s, as it does on speech it cannot follow: listen before failing"."""
    who, where = _who_and_where(item, looked_in, duration, speakers_known)
    return {
        "en": f"no {_lower_first(item.label['en'])} found, but in {where['en']} the recognizer "
        f"wrote “{utterance.text}” {times} times in a row from {seconds(utterance.start, 'en')} "
        f"({who['en']}), as it does on speech it cannot follow: listen before failing",
        "pl": f"nie znaleziono: {_lower_first(item.label['pl'])}, ale w {where['pl']} system "
        f"zapisał „{utterance.text}” {times} razy z rzędu od {seconds(utterance.start, 'pl')} "
        f"({who['pl']}), jak to robi z mową, której nie potrafi rozpoznać: odsłuchaj przed "
        f"oceną",
    }


def unheard(item: Item, looked_in: LookedIn, unheard_s: float, duration: float,
            speakers_known: bool) -> Explanation:
    """ "no greeting found, but the agent spoke for 4.2 s in 0–20 s that the recognizer could
    not make out: listen before failing"."""
    who, where = _who_and_where(item, looked_in, duration, speakers_known)
    return {
        "en": f"no {_lower_first(item.label['en'])} found, but {who['en']} spoke for "
        f"{seconds(unheard_s, 'en')} in {where['en']} that the recognizer could not make out: "
        f"listen before failing",
        "pl": f"nie znaleziono: {_lower_first(item.label['pl'])}, ale przez "
        f"{seconds(unheard_s, 'pl')} w {where['pl']} była mowa ({who['pl']}), której system nie "
        f"rozpoznał: odsłuchaj przed oceną",
    }


def drowned(item: Item, looked_in: LookedIn, drowned_s: float, duration: float,
            speakers_known: bool) -> Explanation:
    """ "no greeting found, but for 6.0 s in 0–20 s the agent's line was as loud with noise as
    their speech, where neither the voice detector nor the recognizer could hear words: listen
    before failing"."""
    who, where = _who_and_where(item, looked_in, duration, speakers_known)
    return {
        "en": f"no {_lower_first(item.label['en'])} found, but for {seconds(drowned_s, 'en')} "
        f"in {where['en']} the line ({who['en']}) was as loud with noise as the speech on it, "
        f"which can hide words: listen before failing",
        "pl": f"nie znaleziono: {_lower_first(item.label['pl'])}, ale przez "
        f"{seconds(drowned_s, 'pl')} w {where['pl']} szum na linii ({who['pl']}) był tak "
        f"głośny jak mowa, więc mógł zagłuszyć słowa: odsłuchaj przed oceną",
    }


def unsure_forbidden(item: Item, evidence: Evidence) -> Explanation:
    at_en, at_pl = seconds(evidence.start, "en"), seconds(evidence.start, "pl")
    return {
        "en": f"{item.label['en']}: “{evidence.matched}” at {at_en}, but the recognizer was unsure "
        f"of these words (confidence {evidence.confidence:.2f}): listen before failing",
        "pl": f"{item.label['pl']}: „{evidence.matched}” w {at_pl}, ale system nie był pewien "
        f"tych słów (pewność {_decimal(evidence.confidence, 'pl')}): odsłuchaj przed oceną",
    }


def no_phrases(language: str) -> Explanation:
    english = _LANGUAGE_NAMES["en"].get(language, f"'{language}'")
    polish = _LANGUAGE_NAMES["pl"].get(language)
    return {
        "en": f"the scorecard has no {english} phrases for this item",
        "pl": (f"karta oceny nie ma fraz w języku {polish} dla tej pozycji" if polish
               else f"karta oceny nie ma fraz w języku o kodzie „{language}” dla tej pozycji"),
    }


def too_short(duration: float, limit: float) -> Explanation:
    return {
        "en": f"the call lasts {seconds(duration, 'en')}, under {seconds(limit, 'en')}",
        "pl": f"rozmowa trwa {seconds(duration, 'pl')}, krócej niż {seconds(limit, 'pl')}",
    }


def hung_up(looked_in: LookedIn, duration: float) -> Explanation:
    span_en = window(looked_in, duration, True, "en")
    span_pl = window(looked_in, duration, True, "pl")
    return {
        "en": f"the customer hung up before the close: the agent did not speak in {span_en}",
        "pl": f"klient rozłączył się przed zakończeniem: konsultant nic nie powiedział w "
        f"{span_pl}",
    }
