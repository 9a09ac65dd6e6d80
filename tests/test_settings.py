"""One typed reader of text values: settings from the environment and list filter parameters."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from callqa.models import CallStatus
from callqa.qa.fcr.contacts import FcrStatus
from callqa.queries.call_list import CallFilters
from callqa.settings import InvalidValue, load_settings, parse_value


def test_settings_are_read_as_their_fields_types():
    settings = load_settings({
        "CALLQA_CPU_THREADS": "2", "CALLQA_MAX_DURATION_S": "90.5",
        "CALLQA_HINT_AGENT_NAME": "off", "CALLQA_SCORECARD": "~/card.yaml",
        "CALLQA_VOCABULARY": " Telmax ", "CALLQA_RETENTION_DAYS": "",
    })
    assert settings.cpu_threads == 2 and settings.max_duration_s == 90.5
    assert settings.hint_agent_name is False
    assert settings.scorecard == Path.home() / "card.yaml"
    assert settings.vocabulary == " Telmax "  # text as written
    assert settings.retention_days == 0  # empty: the default


@pytest.mark.parametrize("variable, raw, fragment", [
    ("CALLQA_CPU_THREADS", "two", "'two' is not a whole number"),
    ("CALLQA_DEAD_AIR_S", "10s", "'10s' is not a number"),
    ("CALLQA_HINT_AGENT_NAME", "maybe", "'maybe' is not yes or no"),
])
def test_a_bad_setting_names_its_variable(variable, raw, fragment):
    with pytest.raises(InvalidValue, match=f"^{variable}: ") as error:
        load_settings({variable: raw})
    assert fragment in str(error.value)


def test_optional_types_dates_and_enums():
    assert parse_value(int | None, "7", "agent_id") == 7
    assert parse_value(date | None, "2026-11-30", "date_from") == date(2026, 11, 30)
    assert parse_value(FcrStatus | None, "not_fcr", "fcr_status") is FcrStatus.NOT_FCR
    with pytest.raises(InvalidValue, match="fcr_status: 'maybe' is not one of fcr, not_fcr"):
        parse_value(FcrStatus | None, "maybe", "fcr_status")


def test_list_filters_use_the_same_reader_and_ignore_bad_values():
    filters = CallFilters.from_args({
        "agent_id": "3", "date_to": "2026-11-30", "score_min": "oops", "reviewed": "no",
        "status": "done", "fcr_status": "nonsense", "descending": "0", "sort": "nope",
    })
    assert filters == CallFilters(agent_id=3, date_to=date(2026, 11, 30), reviewed=False,
                                  status=CallStatus.DONE, descending=False)
    assert filters.status is CallStatus.DONE
