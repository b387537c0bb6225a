"""Every refusal of the engine names its rule (``code``) and its values (``params``).

Each rule has one sentence, a template in ``MESSAGES``: ``str()`` is it in English,
the Odoo layer translates it (a term of the addon's ``i18n`` files).
"""

import ast
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT
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
from support_sla.engine.errors import INVALID_INPUT, MESSAGES, english

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


# -- one sentence per rule, translated -------------------------------------

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def raise_sites():
    """``(path, line, code, keyword names or None)`` of every SlaError raised with a code.

    Found in the engine and wherever its errors are raised with a code (the
    escalation addon too); ``SlaError.of(code, **params)`` gives the keyword
    names, the older ``SlaError(sentence, code, **params)`` form None.
    """
    sites = []
    for addon in ("support_sla", "support_sla_escalation"):
        for path in sorted((ROOT / addon).rglob("*.py")):
            if "tests" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr == "of":
                    if not (isinstance(func.value, ast.Name) and func.value.id == "SlaError"):
                        continue
                    code, names = node.args[0], {k.arg for k in node.keywords}
                elif isinstance(func, ast.Name) and func.id == "SlaError" and len(node.args) > 1:
                    code, names = node.args[1], None
                else:
                    continue
                for constant in ast.walk(code):
                    if isinstance(constant, ast.Constant) and isinstance(constant.value, str):
                        sites.append((path.relative_to(ROOT), node.lineno, constant.value, names))
    return sites


def po_blocks(path):
    """``{msgid: (comment lines, msgstr)}`` of a .po/.pot file."""
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = block.splitlines()
        comments = [line for line in lines if line.startswith("#")]
        fields = {}
        field = None
        for line in lines:
            keyword, _space, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid", "msgstr"):
                field = keyword
                fields[field] = ast.literal_eval(rest)
            elif line.startswith('"') and field:
                fields[field] += ast.literal_eval(line)
        if fields.get("msgid") and "msgctxt" not in fields:
            entries[fields["msgid"]] = (comments, fields.get("msgstr", ""))
    return entries


def test_every_code_raised_has_its_sentence_with_the_same_values():
    sites = raise_sites()
    assert len(sites) > 20
    for path, line, code, names in sites:
        assert code in MESSAGES, f"{path}:{line}: no sentence for {code!r} in MESSAGES"
        if names is not None:
            assert names == set(PLACEHOLDER.findall(MESSAGES[code])), f"{path}:{line}"
    unused = set(MESSAGES) - {code for _p, _l, code, _n in sites} - {INVALID_INPUT}
    assert not unused, f"sentences of no rule: {unused}"


def test_the_engine_writes_its_sentences_only_in_messages():
    # Outside MESSAGES both addons' engines raise a rule's refusal with SlaError.of only.
    for path, line, code, names in raise_sites():
        if path.parts[1] == "engine":
            assert names is not None, f"{path}:{line}: {code} has its own sentence"


@pytest.mark.parametrize(
    ("call", "code", "params"), [case for case in CASES if case[1] is not None]
)
def test_english_sentence_is_the_template(call, code, params):
    with pytest.raises(SlaError) as caught:
        call()
    error = caught.value
    if error.code == INVALID_INPUT:
        return
    values = {name: english(value) for name, value in error.params.items()}
    assert str(error) == MESSAGES[error.code] % values


def test_english_values():
    assert english(datetime(2025, 6, 2, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))) == (
        "2025-06-02 08:00 UTC"
    )
    assert english(datetime(2025, 6, 2, 10, 0)) == "2025-06-02 10:00"
    assert english(date(2025, 6, 2)) == "2025-06-02"
    assert english(12.5) == "12.5"


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_every_sentence_is_a_term_of_the_addon_translated(lang):
    folder = ROOT / "support_sla" / "i18n"
    template = po_blocks(folder / "support_sla.pot")
    translated = po_blocks(folder / f"{lang}.po")
    for code, sentence in MESSAGES.items():
        for entries in (template, translated):
            assert sentence in entries, f"{code}: {sentence!r} is not a term"
            comments, _text = entries[sentence]
            # A code term of the engine: Odoo loads it for code translations.
            assert "#. odoo-python" in comments, code
            assert "#: code:addons/support_sla/engine/errors.py:0" in comments, code
        text = translated[sentence][1]
        assert text and text != sentence, f"{lang}: {code} is not translated"
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(sentence))
    # No term is left where the sentences used to be written.
    for entries in (template, translated):
        stale = [
            msgid
            for msgid, (comments, _text) in entries.items()
            if "#: code:addons/support_sla/models/sla_error.py:0" in comments
        ]
        assert not stale
