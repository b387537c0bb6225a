"""Public holidays from the ``holidays`` library: days, local instants, idempotence."""

from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support_sla.engine import SlaError
from support_sla.engine.public_holidays import check_years, missing, public_holidays, year_span

COUNTRIES = st.sampled_from(
    [
        ("FR", "Europe/Paris"),
        ("NL", "Europe/Amsterdam"),
        ("JP", "Asia/Tokyo"),
        ("US", "America/New_York"),
    ]
)


def test_french_days_in_french_from_paris_midnight():
    days = public_holidays("FR", [2026], "Europe/Paris", lang="fr_FR")
    first = days[0]
    assert first[0] == date(2026, 1, 1)
    assert first[1] == "Jour de l'an"
    # Paris is UTC+1 in winter: local midnight is 23:00 UTC the day before.
    assert first[2] == datetime(2025, 12, 31, 23, 0, tzinfo=timezone.utc)
    assert first[3] == datetime(2026, 1, 1, 22, 59, 59, tzinfo=timezone.utc)
    # Easter Monday 2026 moves with Easter: the library computes it.
    assert date(2026, 4, 6) in [day for day, *_rest in days]


def test_language_falls_back_to_the_library_default():
    names = {
        day: name
        for day, name, *_r in public_holidays("NL", [2026], "Europe/Amsterdam", lang="nl_NL")
    }
    assert names[date(2026, 4, 27)] == "Koningsdag"
    english = {d: n for d, n, *_r in public_holidays("JP", [2026], "Asia/Tokyo", lang="fr_FR")}
    assert english[date(2026, 1, 1)] == "New Year's Day"


def test_subdivision_adds_its_own_days():
    national = {d for d, *_r in public_holidays("DE", [2026], "Europe/Berlin")}
    bavaria = {d for d, *_r in public_holidays("DE", [2026], "Europe/Berlin", subdivision="BY")}
    assert date(2026, 1, 6) in bavaria - national  # Epiphany


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("XX", [2026], "UTC"), "holiday_country"),
        (("FR", [2026], "UTC", "ZZ"), "holiday_subdivision"),
        (("FR", [], "UTC"), "holiday_years"),
        (("FR", [2206], "UTC"), "holiday_years"),
        (("FR", list(range(2020, 2040)), "UTC"), "holiday_years"),
        (("FR", [2026], "Mars/Olympus"), "tz_unknown"),
    ],
)
def test_bad_input_is_refused(args, code):
    with pytest.raises(SlaError) as caught:
        public_holidays(*args)
    assert caught.value.code == code


@given(COUNTRIES, st.integers(2000, 2060))
def test_loading_twice_misses_nothing_then_everything(country, year):
    days = public_holidays(country[0], [year], country[1])
    assert days, "every supported country has public holidays"
    assert missing(days, []) == days
    assert missing(days, [(start, end) for _d, _n, start, end in days]) == []
    # Every day is a whole local day of less than 25 h, in order, one per date.
    assert [d for d, *_r in days] == sorted({d for d, *_r in days})
    for _day, _name, start, end in days:
        assert 0 < (end - start).total_seconds() < 25 * 3600


def test_years_are_sorted_and_distinct():
    assert check_years([2027, 2026, 2027]) == [2026, 2027]


def test_year_span_refuses_before_building_it():
    assert year_span(2026, 2027) == [2026, 2027]
    for first, last, code in ((2027, 2026, "holiday_years_reversed"), (1, 10**12, "holiday_years")):
        with pytest.raises(SlaError) as caught:
            year_span(first, last)
        assert caught.value.code == code
