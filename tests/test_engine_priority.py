"""Priority matrix."""

import pytest

from support_sla.engine import (
    DEFAULT_MATRIX,
    LEVELS,
    PRIORITY_LABELS,
    SlaError,
    check_matrix,
    matrix_priority,
)

# SPEC section 2, rows urgency, columns impact high / medium / low.
ZMANDA = {
    "high": ("P1", "P2", "P3"),
    "medium": ("P2", "P3", "P4"),
    "low": ("P3", "P4", "P4"),
}


@pytest.mark.parametrize("urgency", LEVELS)
def test_default_matrix_is_zmanda(urgency):
    for impact, label in zip(LEVELS, ZMANDA[urgency], strict=True):
        assert PRIORITY_LABELS[matrix_priority(DEFAULT_MATRIX, impact, urgency)] == label


def test_priority_codes_are_the_helpdesk_ones():
    assert PRIORITY_LABELS == {"3": "P1", "2": "P2", "1": "P3", "0": "P4"}


def test_check_matrix_accepts_a_full_grid():
    cells = [(i, u, p) for (i, u), p in DEFAULT_MATRIX.items()]
    assert check_matrix(cells) == DEFAULT_MATRIX


def test_check_matrix_names_missing_cells():
    cells = [(i, u, p) for (i, u), p in DEFAULT_MATRIX.items() if (i, u) != ("low", "medium")]
    with pytest.raises(SlaError, match="no priority for .*: low/medium"):
        check_matrix(cells)


def test_check_matrix_refuses_duplicates_and_unknown_values():
    cells = [(i, u, p) for (i, u), p in DEFAULT_MATRIX.items()]
    with pytest.raises(SlaError, match="given twice"):
        check_matrix(cells + [("high", "high", "2")])
    with pytest.raises(SlaError, match="Impact and urgency"):
        check_matrix([("huge", "high", "3")])
    with pytest.raises(SlaError, match="Unknown priority"):
        check_matrix([("high", "high", "9")])


def test_lookup_of_unknown_cell_is_a_clear_error():
    with pytest.raises(SlaError, match="no priority for .*: high/high"):
        matrix_priority({}, "high", "high")
