"""Every refusal of the engine names its rule (``code``) and its values (``params``).

The Odoo layer translates the code; ``str()`` stays an English sentence.
"""

from datetime import date, datetime, timedelta, timezone

import pytest
from policies import standard, weekdays

from support_sla.engine import (
    Schedule,
    SlaError,
    check_matrix,
    clock_state,
    deadline_with_pauses,
    matrix_priority,
    notice_deadline,
)
from support_sla.engine.errors import INVALID_INPUT

START = datetime(2025, 6, 2, 8, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
CASES = [
    (lambda: Schedule([], "UTC"), "no_working_time", {}),
    (lambda: Schedule(weekdays(8, 17), "Mars/Olympus"), "tz_unknown", {"tz": "Mars/Olympus"}),
    (lambda: Schedule(weekdays(8, 17), ""), "tz_required", {}),
    (lambda: Schedule([(0, 9, 25)], "UTC"), "window_hour", {"hour": 25}),
    (lambda: Schedule([(0, 17, 8)], "UTC"), "window_reversed", {"start": 17, "end": 8}),
    (
        lambda: Schedule(weekdays(8, 17), "UTC", closures=[(START + HOUR, START)]),
        "closure_reversed",
        {"start": START + HOUR, "end": START},
    ),
    (lambda: standard("UTC").add(START, -5), "duration_negative", {"minutes": -5}),
    (
        lambda: clock_state(standard("UTC"), START, 0, at=START),
        "target_not_positive",
        {"minutes": 0},
    ),
    (
        lambda: clock_state(standard("UTC"), START, 60, at=START, completed=START - HOUR),
        "stop_before_start",
        {"stop": START - HOUR, "start": START},
    ),
    (
        lambda: deadline_with_pauses(standard("UTC"), START, 60, [(START + HOUR, START)]),
        "pause_reversed",
        {"start": START + HOUR, "end": START},
    ),
    (lambda: deadline_with_pauses(standard("UTC"), START, 60, [(START, None)]), "pause_open", {}),
    (
        lambda: Schedule(
            weekdays(8, 17), "UTC", closures=[(START, START + 11 * 366 * 24 * HOUR)]
        ).add(START, 60),
        "no_opening",
        {"years": 10, "start": START},
    ),
    (lambda: standard("UTC").add(datetime(9999, 12, 1, tzinfo=timezone.utc), 60), None, None),
    (lambda: check_matrix([("huge", "high", "3")]), "matrix_level", None),
    (lambda: check_matrix([("high", "high", "9")]), "matrix_priority", None),
    (lambda: check_matrix([("high", "high", "3")] * 2), "matrix_twice", None),
    (lambda: check_matrix([("high", "high", "3")]), "matrix_missing", None),
    (lambda: matrix_priority({}, "high", "low"), "matrix_missing", {"cells": "high/low"}),
    (lambda: notice_deadline(date(2025, 1, 1), -1), "notice_days", {"days": -1}),
    (lambda: Schedule([("Monday", 8, 17)], "UTC"), INVALID_INPUT, {}),
]


@pytest.mark.parametrize(("call", "code", "params"), CASES)
def test_error_code_and_params(call, code, params):
    with pytest.raises(SlaError) as caught:
        call()
    error = caught.value
    assert str(error)  # the English sentence is kept
    if code is None:
        assert error.code in ("date_out_of_range", "year_out_of_range")
        return
    assert error.code == code
    if params is not None:
        assert error.params == params
