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
    clock_state_and_warning,
    deadline_with_pauses,
    time_left,
)
from .contract import (
    ACTIVE_STATES,
    COVERAGE_STATES,
    covers,
    lapse,
    notice_deadline,
    renews,
    transition,
    version_lapsed,
)
from .dates import add_months, check_date
from .errors import SlaError
from .priority import (
    DEFAULT_MATRIX,
    LEVELS,
    PRIORITY_LABELS,
    check_matrix,
    matrix_priority,
)
from .schedule import HORIZON_YEARS, Schedule

__all__ = [
    "ACTIVE_STATES",
    "COVERAGE_STATES",
    "DEFAULT_MATRIX",
    "HORIZON_YEARS",
    "LEVELS",
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
    "clock_state_and_warning",
    "covers",
    "deadline_with_pauses",
    "lapse",
    "matrix_priority",
    "notice_deadline",
    "renews",
    "time_left",
    "transition",
    "version_lapsed",
]
