from datetime import UTC, datetime, timedelta

import pytest

from callqa.qa.fcr.contacts import (
    Contact,
    FcrPolicy,
    FcrReason,
    FcrStatus,
    ReasonKind,
    evaluate_contacts,
)
from callqa.qa.fcr.phone import normalize_phone

DAY = timedelta(days=1)
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
LATER = T0 + 30 * DAY


def contact(call_id, days, customer="+48600100200", matters=("reklamacja",), reasons=()):
    return Contact(call_id, T0 + days * DAY, customer, frozenset(matters), tuple(reasons))


@pytest.mark.parametrize("raw, expected", [
    ("+48 600 100 200", "+48600100200"),
    ("600 100 200", "+48600100200"),
    ("600-100-200", "+48600100200"),
    ("48600100200", "+48600100200"),
    ("0048 600 100 200", "+48600100200"),
    ("(+48) 600.100.200", "+48600100200"),
    ("+1 555 0100", "+15550100"),
    ("+44 20 7946 0958", "+442079460958"),
    ("", None),
    ("anonymous", None),
    ("12", None),
])
def test_phone_numbers_normalize_to_e164(raw, expected):
    assert normalize_phone(raw) == expected


def test_a_repeat_within_the_window_on_the_same_matter_fails_the_first_call_only():
    verdicts = evaluate_contacts([contact(1, 0), contact(2, 3)], FcrPolicy(), LATER)
    first, repeat = verdicts[1], verdicts[2]
    assert first.status == FcrStatus.NOT_FCR
    [reason] = first.reasons
    assert reason.kind == ReasonKind.REPEAT_CONTACT and reason.repeat_call_id == 2
    assert reason.detail == "repeat call 2 on 2026-11-05"
    assert repeat.status == FcrStatus.FCR and repeat.repeat_of == (1,)


def test_a_repeat_after_the_window_does_not_count():
    verdicts = evaluate_contacts([contact(1, 0), contact(2, 7.5)], FcrPolicy(), LATER)
    assert verdicts[1].status == FcrStatus.FCR


def test_another_matter_counts_only_under_the_any_topic_policy():
    contacts = [contact(1, 0, matters=("faktura",)), contact(2, 3, matters=("dostawa",))]
    assert evaluate_contacts(contacts, FcrPolicy(), LATER)[1].status == FcrStatus.FCR
    strict = evaluate_contacts(contacts, FcrPolicy(any_topic=True), LATER)
    assert strict[1].status == FcrStatus.NOT_FCR


def test_other_customers_and_unknown_customers_are_never_linked():
    contacts = [contact(1, 0), contact(2, 1, customer="+48600999999"),
                contact(3, 0, customer=None), contact(4, 1, customer=None)]
    verdicts = evaluate_contacts(contacts, FcrPolicy(), LATER)
    assert {v.status for v in verdicts.values()} == {FcrStatus.FCR}


def test_pending_until_the_window_closes_then_final():
    contacts = [contact(1, 0)]
    assert evaluate_contacts(contacts, FcrPolicy(), T0 + 6 * DAY)[1].status == FcrStatus.PENDING
    assert evaluate_contacts(contacts, FcrPolicy(), T0 + 7 * DAY)[1].status == FcrStatus.FCR


def test_what_happened_in_the_call_fails_it_at_once():
    callback = FcrReason(ReasonKind.CALLBACK, "callback promised")
    verdicts = evaluate_contacts([contact(1, 0, reasons=[callback])], FcrPolicy(), T0 + DAY)
    assert verdicts[1].status == FcrStatus.NOT_FCR and verdicts[1].reasons == (callback,)


def test_only_the_first_repeat_is_named_and_each_call_is_judged_on_its_own():
    contacts = [contact(1, 0), contact(2, 2), contact(3, 4)]
    verdicts = evaluate_contacts(contacts, FcrPolicy(), LATER)
    assert [r.repeat_call_id for r in verdicts[1].reasons] == [2]
    assert verdicts[2].status == FcrStatus.NOT_FCR and verdicts[2].repeat_of == (1,)
    assert verdicts[3].status == FcrStatus.FCR and verdicts[3].repeat_of == (2,)
