import pytest

from callqa.qa.fcr.ruleset import FcrRulesError, default_fcr_rules, detect_signals, parse_fcr_rules
from callqa.qa.transcript import Speaker, Transcript, Utterance


def _call(language: str, *turns: tuple[Speaker, str], mono: bool = False) -> Transcript:
    utterances = [Utterance(Speaker.UNKNOWN if mono else speaker, 5.0 * i, 5.0 * i + 4, text)
                  for i, (speaker, text) in enumerate(turns)]
    return Transcript(language, 5.0 * len(turns), utterances, speakers_known=not mono)


AGENT, CUSTOMER = Speaker.AGENT, Speaker.CUSTOMER

SAID = [
    ("pl", AGENT, "Już przełączam Pana do działu reklamacji.", "transfer"),
    ("pl", AGENT, "Przekieruję panią do konsultanta technicznego.", "transfer"),
    ("en", AGENT, "Let me transfer you to our billing team.", "transfer"),
    ("en", AGENT, "I'll put you through to a specialist.", "transfer"),
    ("pl", AGENT, "Oddzwonimy do Pana jutro do południa.", "callback"),
    ("pl", AGENT, "Konsultant oddzwoni do pani po sprawdzeniu.", "callback"),
    ("en", AGENT, "We will call you back tomorrow morning.", "callback"),
    ("en", AGENT, "I'll get back to you once I hear from the warehouse.", "callback"),
    ("pl", AGENT, "Niestety nie mogę teraz tego zmienić.", "unable_to_help"),
    ("pl", AGENT, "System nie działa, proszę spróbować później.", "unable_to_help"),
    ("en", AGENT, "The system is down, please try again later.", "unable_to_help"),
    ("en", AGENT, "I'm sorry, there's nothing I can do about it.", "unable_to_help"),
    ("pl", CUSTOMER, "Dzwonię ponownie w sprawie reklamacji.", "calling_again"),
    ("pl", CUSTOMER, "Już dzwoniłam w tej sprawie w poniedziałek.", "calling_again"),
    ("en", CUSTOMER, "I'm calling again about my lost card.", "calling_again"),
    ("en", CUSTOMER, "I already called about this last week.", "calling_again"),
]


@pytest.mark.parametrize("language, speaker, sentence, signal", SAID)
def test_each_signal_is_found_in_both_languages(language, speaker, sentence, signal):
    found = detect_signals(_call(language, (speaker, sentence)), default_fcr_rules())
    assert [s.id for s in found.signals] == [signal]
    evidence = found.signals[0].evidence[0]
    assert evidence["speaker"] == speaker and evidence["start"] >= 0


@pytest.mark.parametrize("language, speaker, sentence, signal", SAID)
def test_a_signal_said_by_the_other_party_does_not_count(language, speaker, sentence, signal):
    other = CUSTOMER if speaker == AGENT else AGENT
    assert detect_signals(_call(language, (other, sentence)), default_fcr_rules()).signals == ()


@pytest.mark.parametrize("language, sentence", [
    ("pl", "Reklamacja została przyjęta, kurier odbierze czajnik jutro."),
    ("pl", "Dziękuję za telefon, do widzenia."),
    ("en", "I have blocked the old card and ordered a replacement."),
    ("en", "Thanks for calling, have a nice day."),
])
def test_a_resolved_call_has_no_signals(language, sentence):
    found = detect_signals(_call(language, (AGENT, sentence)), default_fcr_rules())
    assert found.signals == () and found.resolution() == "resolved"


def test_on_a_mono_call_a_signal_counts_but_is_marked_uncertain():
    found = detect_signals(_call("en", (AGENT, "We will call you back."), mono=True),
                           default_fcr_rules())
    [signal] = found.signals
    assert signal.id == "callback" and signal.certain is False
    assert found.resolution() == "callback"


def test_topics_come_from_what_the_customer_says():
    call = _call("pl", (CUSTOMER, "Zamówiłam paczkę tydzień temu i nadal jej nie mam."),
                 (AGENT, "Sprawdzę fakturę."))
    assert detect_signals(call, default_fcr_rules()).topics == {"delivery"}


@pytest.mark.parametrize("text, fragment", [
    ("window_days: 7", "expected a mapping with 'signals'"),
    ("window_days: -1\nsignals: {id: s, name: {pl: a, en: b}, items: []}", "'window_days'"),
    ("signals: {id: s, name: {pl: a, en: b}, items: [{id: x}]}", "item"),
])
def test_bad_rules_files_say_what_is_wrong(text, fragment):
    with pytest.raises(FcrRulesError, match="rules.yaml") as error:
        parse_fcr_rules(text, "rules.yaml")
    assert fragment in str(error.value)
