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
            raise SlaError(
                f"Impact and urgency are one of {', '.join(LEVELS)}; "
                f"got impact {impact!r}, urgency {urgency!r}.",
                "matrix_level",
                impact=impact,
                urgency=urgency,
            )
        if priority not in PRIORITY_LABELS:
            raise SlaError(
                f"Unknown priority {priority!r} for impact {impact}, urgency {urgency}.",
                "matrix_priority",
                priority=priority,
                impact=impact,
                urgency=urgency,
            )
        if (impact, urgency) in matrix:
            raise SlaError(
                f"The priority of impact {impact}, urgency {urgency} is given twice.",
                "matrix_twice",
                impact=impact,
                urgency=urgency,
            )
        matrix[(impact, urgency)] = priority
    cells_missing = [
        (impact, urgency)
        for urgency in LEVELS
        for impact in LEVELS
        if (impact, urgency) not in matrix
    ]
    missing = [f"impact {impact} / urgency {urgency}" for impact, urgency in cells_missing]
    if missing:
        raise SlaError(
            "The priority matrix has no priority for: " + ", ".join(missing) + ".",
            "matrix_missing",
            cells=", ".join(f"{impact}/{urgency}" for impact, urgency in cells_missing),
        )
    return matrix


def matrix_priority(matrix, impact, urgency):
    """Priority code of an impact and an urgency in ``matrix``."""
    try:
        return matrix[(impact, urgency)]
    except KeyError:
        raise SlaError(
            f"The priority matrix has no priority for impact {impact!r}, urgency {urgency!r}.",
            "matrix_missing",
            cells=f"{impact}/{urgency}",
        ) from None
