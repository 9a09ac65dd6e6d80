"""The redaction policy, and a transcript with what it names replaced by typed placeholders.

The words of an entity become one placeholder word ("[CARD]", "[KARTA]") with their start
and end; the utterance text gets the same placeholder in their place. Each redacted stretch
is a `Span` (entity, party, start, end), never the value itself.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

from callqa.qa.redaction.detect import (
    DetectOptions,
    Entity,
    Found,
    Token,
    call_text,
    detect,
)
from callqa.qa.transcript import Speaker, Transcript, Utterance, Word

__all__ = [
    "DEFAULT_POLICY", "PLACEHOLDERS", "Redacted", "RedactionPolicy", "Span", "placeholder",
    "redact_transcript",
]

PLACEHOLDERS: dict[str, dict[Entity, str]] = {
    "en": {Entity.CARD: "[CARD]", Entity.CVV: "[CVV]", Entity.EXPIRY: "[EXPIRY]",
           Entity.PESEL: "[PESEL]", Entity.NIP: "[NIP]", Entity.REGON: "[REGON]",
           Entity.ID_CARD: "[ID CARD]", Entity.ACCOUNT: "[ACCOUNT]", Entity.PHONE: "[PHONE]",
           Entity.EMAIL: "[EMAIL]"},
    "pl": {Entity.CARD: "[KARTA]", Entity.CVV: "[CVV]", Entity.EXPIRY: "[WAŻNOŚĆ]",
           Entity.PESEL: "[PESEL]", Entity.NIP: "[NIP]", Entity.REGON: "[REGON]",
           Entity.ID_CARD: "[DOWÓD]", Entity.ACCOUNT: "[KONTO]", Entity.PHONE: "[TELEFON]",
           Entity.EMAIL: "[EMAIL]"},
}


def placeholder(entity: Entity, language: str) -> str:
    return PLACEHOLDERS.get(language, PLACEHOLDERS["en"])[entity]


AUDIO_MARK = "+audio"


@dataclass(frozen=True)
class RedactionPolicy:
    """Which entities are redacted in the text, and which of them in the recording too.

    Written as a comma-separated list of entities, each with "+audio" to redact the recording
    as well; "all" or "all+audio" for every entity, "off" for none:

    >>> str(RedactionPolicy.parse("card+audio, email"))
    'card+audio,email'
    """

    text: frozenset[Entity]
    audio: frozenset[Entity]  # always among `text`

    @classmethod
    def parse(cls, raw: str) -> RedactionPolicy:
        """Raises ValueError, naming what is wrong, for text that is not a policy."""
        text: set[Entity] = set()
        audio: set[Entity] = set()
        for item in (part.strip().lower() for part in raw.split(",")):
            if item in ("", "off", "none"):
                continue
            name, _, scope = item.partition("+")
            if scope not in ("", "audio"):
                raise ValueError(f"{item!r}: only '+audio' may follow an entity")
            if name == "all":
                entities = set(Entity)
            elif name in {e.value for e in Entity}:
                entities = {Entity(name)}
            else:
                names = ", ".join(e.value for e in Entity)
                raise ValueError(f"{name!r} is not an entity (entities: {names}; or all, off)")
            text |= entities
            if scope:
                audio |= entities
        return cls(frozenset(text), frozenset(audio))

    def __str__(self) -> str:
        return ",".join(entity.value + (AUDIO_MARK if entity in self.audio else "")
                        for entity in Entity if entity in self.text) or "off"


# Card data, PESEL, accounts and ID cards in text and audio; phones and e-mails in text.
DEFAULT_POLICY = RedactionPolicy.parse(
    "card+audio,cvv+audio,expiry+audio,pesel+audio,account+audio,id_card+audio,phone,email")


@dataclass(frozen=True)
class Span:
    """One redacted stretch of one party's speech."""

    entity: Entity
    speaker: Speaker
    channel: int | None
    start: float
    end: float
    audio: bool  # the policy redacts this entity in the recording too


@dataclass(frozen=True)
class Redacted:
    transcript: Transcript
    spans: tuple[Span, ...]


def redact_transcript(
    transcript: Transcript, policy: RedactionPolicy, options: DetectOptions | None = None
) -> Redacted:
    """`transcript` with the entities of `policy` replaced (unchanged when there are none)."""
    if not policy.text:
        return Redacted(transcript, ())
    found = detect(call_text(transcript, options), policy.text)
    if not found:
        return Redacted(transcript, ())
    pieces: dict[int, list[tuple[Entity, list[Token]]]] = defaultdict(list)
    for entity in found:
        for index, tokens in _by_utterance(entity):
            pieces[index].append((entity.entity, tokens))
    utterances = list(transcript.utterances)
    spans: list[Span] = []
    for index, entities in sorted(pieces.items()):
        utterance = utterances[index]
        utterances[index] = _redact_utterance(utterance, entities, transcript.language)
        spans.extend(Span(entity, utterance.speaker, utterance.channel, tokens[0].start,
                          tokens[-1].end, entity in policy.audio)
                     for entity, tokens in entities)
    return Redacted(replace(transcript, utterances=utterances),
                    tuple(sorted(spans, key=lambda s: (s.start, s.end))))


def _by_utterance(found: Found) -> list[tuple[int, list[Token]]]:
    groups: dict[int, list[Token]] = defaultdict(list)
    for token in found.tokens:
        groups[token.utterance].append(token)
    return sorted(groups.items())


def _redact_utterance(
    utterance: Utterance, entities: list[tuple[Entity, list[Token]]], language: str
) -> Utterance:
    entities = sorted(entities, key=lambda e: e[1][0].char_start)
    words = list(utterance.words)
    located = all(t.char_start >= 0 for _, tokens in entities for t in tokens)
    text = utterance.text
    for entity, tokens in reversed(entities):
        mark = placeholder(entity, language)
        if located:  # the sentence's punctuation after the entity stays
            final = tokens[-1]
            end = final.char_end - (len(final.text) - len(final.text.rstrip(",.;:!?")))
            text = text[:tokens[0].char_start] + mark + text[end:]
        indexes = [i for t in tokens for i in (t.word, t.last_word) if i is not None]
        if indexes:
            first, last = min(indexes), max(indexes)
            words[first:last + 1] = [Word(mark, words[first].start, words[last].end)]
    if not located:  # a word the text does not show as such: the text is the words
        text = " ".join(word.text for word in words)
    return replace(utterance, text=text, words=tuple(words))
