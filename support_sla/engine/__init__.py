"""SLA engine: business-time arithmetic with no dependency on Odoo.

Everything here takes and returns plain Python values (timezone-aware datetimes,
dates, ints, strings) so that it can be tested and benchmarked without a database.
The Odoo models only translate records into these inputs and store the results.
"""

from .clock import (
    STATUS_BREACHED,
    STATUS_MET,
    STATUS_NONE,
    STATUS_PAUSED,
    STATUS_RUNNING,
    ClockState,
    clock_state,
    deadline_with_pauses,
    deadlines,
)
from .contract import notice_deadline, renews, transition
from .dates import add_months, check_date
from .errors import SlaError
from .priority import (
    DEFAULT_MATRIX,
    LEVELS,
    PRIORITY_BY_LABEL,
    PRIORITY_LABELS,
    check_matrix,
    matrix_priority,
)
from .schedule import HORIZON_YEARS, Schedule

__all__ = [
    "DEFAULT_MATRIX",
    "HORIZON_YEARS",
    "LEVELS",
    "PRIORITY_BY_LABEL",
    "PRIORITY_LABELS",
    "STATUS_BREACHED",
    "STATUS_MET",
    "STATUS_NONE",
    "STATUS_PAUSED",
    "STATUS_RUNNING",
    "ClockState",
    "Schedule",
    "SlaError",
    "add_months",
    "check_date",
    "check_matrix",
    "clock_state",
    "deadline_with_pauses",
    "deadlines",
    "matrix_priority",
    "notice_deadline",
    "renews",
    "transition",
]
