"""Impact x urgency priority matrix.

Priorities use the helpdesk's own ``priority`` codes: P1 (critical) is ``"3"``,
P2 ``"2"``, P3 ``"1"``, P4 (low) ``"0"``.
"""

from .errors import SlaError

LEVELS = ("high", "medium", "low")
PRIORITY_LABELS = {"3": "P1", "2": "P2", "1": "P3", "0": "P4"}

# Zmanda's matrix, keyed (impact, urgency).
DEFAULT_MATRIX = {
    ("high", "high"): "3",
    ("medium", "high"): "2",
    ("low", "high"): "1",
    ("high", "medium"): "2",
    ("medium", "medium"): "1",
    ("low", "medium"): "0",
    ("high", "low"): "1",
    ("medium", "low"): "0",
    ("low", "low"): "0",
}


def check_matrix(cells):
    """The matrix ``{(impact, urgency): priority}`` of ``(impact, urgency, priority)``.

    Refuses unknown values, a cell given twice and missing cells, naming them.
    """
    matrix = {}
    for impact, urgency, priority in cells:
        if impact not in LEVELS or urgency not in LEVELS:
            raise SlaError.of("matrix_level", impact=impact, urgency=urgency)
        if priority not in PRIORITY_LABELS:
            raise SlaError.of("matrix_priority", priority=priority, impact=impact, urgency=urgency)
        if (impact, urgency) in matrix:
            raise SlaError.of("matrix_twice", impact=impact, urgency=urgency)
        matrix[(impact, urgency)] = priority
    missing = [
        f"{impact}/{urgency}"
        for urgency in LEVELS
        for impact in LEVELS
        if (impact, urgency) not in matrix
    ]
    if missing:
        raise SlaError.of("matrix_missing", cells=", ".join(missing))
    return matrix


def matrix_priority(matrix, impact, urgency):
    """Priority code of an impact and an urgency in ``matrix``."""
    try:
        return matrix[(impact, urgency)]
    except KeyError:
        raise SlaError.of("matrix_missing", cells=f"{impact}/{urgency}") from None
