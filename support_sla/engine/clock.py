"""SLA clocks: deadline, elapsed and remaining business time, status.

A clock starts at the ticket's creation and runs on a :class:`~.schedule.Schedule`
until its target of business time is used up (the deadline). Pauses (time spent
"waiting on the customer") do not count: each pushes the deadline by the business
time it covered. A clock is

``running``
    not completed, deadline not passed, not paused;
``paused``
    not completed, inside a pause that has not ended yet;
``met``
    completed at or before the deadline;
``breached``
    completed after the deadline, or not completed and the deadline has passed.

An open pause (one with no end yet) is taken to end at the instant of evaluation:
the deadline it gives is "the deadline if the clock resumed now", and a paused
clock can therefore never be breached while it stays paused.
"""

from dataclasses import dataclass
from datetime import datetime

from .errors import SlaError
from .intervals import EMPTY, Intervals
from .schedule import _duration_seconds, from_timestamp, to_timestamp

STATUS_NONE = "none"
STATUS_RUNNING = "running"
STATUS_PAUSED = "paused"
STATUS_MET = "met"
STATUS_BREACHED = "breached"


@dataclass(frozen=True)
class ClockState:
    """What a clock says at one instant; durations are in seconds of business time."""

    deadline: datetime
    status: str
    elapsed_seconds: int
    remaining_seconds: int  # negative once the deadline has passed
    paused_seconds: int


def normalise_pauses(pauses, start, until):
    """The pauses (ts) clipped to ``[start, until]``, as :class:`~.intervals.Intervals`.

    ``until`` closes a pause with no end (``None`` refuses such pauses).
    """
    spans = []
    for pause in pauses:
        try:
            pause_start, pause_end = pause
        except (TypeError, ValueError) as exc:
            raise SlaError(f"A pause is (start, end), got {pause!r}.") from exc
        begin = to_timestamp(pause_start, "pause start")
        if pause_end is None:
            if until is None:
                raise SlaError.of("pause_open")
            finish = until
        else:
            finish = to_timestamp(pause_end, "pause end")
            if finish < begin:
                raise SlaError.of("pause_reversed", start=pause_start, end=pause_end)
        begin = max(begin, start)
        if until is not None:
            finish = min(finish, until)
        spans.append((begin, finish))
    return Intervals(spans) if spans else EMPTY


def deadline_with_pauses_ts(schedule, start, target, pauses):
    """Deadline (ts) of ``target`` business seconds from ``start``, skipping pauses.

    ``pauses`` comes from :func:`normalise_pauses`.
    """
    return deadlines_with_pauses_ts(schedule, start, (target,), pauses)[0]


def deadlines_with_pauses_ts(schedule, start, targets, pauses):
    """Deadlines (ts) of several ``targets`` (business seconds from ``start``, in
    ascending order), skipping pauses, in one walk of the schedule: each is what
    :func:`deadline_with_pauses_ts` gives for it alone."""
    found = []
    cursor = start
    spent = 0  # business seconds before ``cursor``
    for pause_start, pause_end in pauses:
        if pause_end <= cursor:
            continue
        if pause_start > cursor:
            available = schedule.business_seconds_ts(cursor, pause_start)
            while len(found) < len(targets) and available >= targets[len(found)] - spent:
                found.append(schedule.add_seconds_ts(cursor, targets[len(found)] - spent))
            if len(found) == len(targets):
                return found
            spent += available
        cursor = max(cursor, pause_end)
    return found + [
        schedule.add_seconds_ts(cursor, target - spent) for target in targets[len(found) :]
    ]


def deadline_with_pauses(schedule, start, target_minutes, pauses=()):
    """Deadline (UTC) of a clock of ``target_minutes`` started at ``start``.

    Every pause ``(start, end)`` must have ended.
    """
    start_ts = to_timestamp(start, "start")
    target = _duration_seconds(target_minutes, 0, positive=True)
    spans = normalise_pauses(pauses, start_ts, None)
    return from_timestamp(deadline_with_pauses_ts(schedule, start_ts, target, spans))


def clock_state(schedule, start, target_minutes, at, pauses=(), completed=None):
    """State at ``at`` of a clock started at ``start`` with a target in minutes.

    :param pauses: ``(start, end)`` intervals; the last one may have ``end=None``.
    :param completed: when the clock stopped (first response, resolution), or None.
    """
    return _evaluate(schedule, start, target_minutes, at, pauses, completed)[0]


def clock_state_and_warning(
    schedule, start, target_minutes, warning_minutes, at, pauses=(), completed=None
):
    """``(state, warning)``: :func:`clock_state` and the moment ``warning_minutes``
    of the target are spent, :func:`deadline_with_pauses` with the open pauses
    taken to end at ``at`` (or at their start, if later). One walk of the schedule
    gives both when the two see the same pauses (a clock still open, no pause
    ending after ``at``: nearly always), two walks otherwise."""
    try:
        return _evaluate(schedule, start, target_minutes, at, pauses, completed, warning_minutes)
    except SlaError:
        # Both wrong: the error of the two calls made one after the other.
        state = clock_state(schedule, start, target_minutes, at, pauses, completed)
        return state, deadline_with_pauses(schedule, start, warning_minutes, _closed(pauses, at))


def time_left(schedule, deadline, until, pauses=()):
    """Business seconds from ``until`` to ``deadline``, negative past it: the
    ``remaining_seconds`` of :func:`clock_state` for the clock whose deadline is
    ``deadline``, read at its end ``until`` (its completion, else the instant of
    evaluation), without walking the clock again from its start.

    ``deadline`` is the clock's as of ``until``: while a pause is open it moves
    with the instant of evaluation. A pause past the deadline does not count in the
    overrun, as it does not count in the clock's elapsed time.
    """
    deadline_ts = to_timestamp(deadline, "deadline")
    until_ts = to_timestamp(until, "evaluation instant")
    if until_ts <= deadline_ts:
        return schedule.business_seconds_ts(until_ts, deadline_ts)
    overrun = normalise_pauses(pauses, deadline_ts, until_ts)
    paused = sum(schedule.business_seconds_ts(begin, end) for begin, end in overrun)
    return paused - schedule.business_seconds_ts(deadline_ts, until_ts)


def _evaluate(schedule, start, target_minutes, at, pauses, completed, warning_minutes=None):
    """``(state, warning or None)`` of :func:`clock_state_and_warning`."""
    start_ts = to_timestamp(start, "start")
    at_ts = to_timestamp(at, "evaluation instant")
    target = _duration_seconds(target_minutes, 0, positive=True)
    if completed is not None:
        done_ts = to_timestamp(completed, "completion")
        if done_ts < start_ts:
            raise SlaError.of("stop_before_start", stop=completed, start=start)
        until = done_ts
    else:
        done_ts = None
        until = max(at_ts, start_ts)
    spans = normalise_pauses(pauses, start_ts, until)
    warning = None
    if warning_minutes is None:
        deadline = deadline_with_pauses_ts(schedule, start_ts, target, spans)
    else:
        deadline, warning = _deadline_and_warning(
            schedule, start_ts, target, spans, warning_minutes, at, pauses
        )
    paused = sum(schedule.business_seconds_ts(begin, end) for begin, end in spans)
    elapsed = max(schedule.business_seconds_ts(start_ts, until) - paused, 0)
    if done_ts is not None:
        status = STATUS_MET if done_ts <= deadline else STATUS_BREACHED
    elif at_ts > deadline:
        status = STATUS_BREACHED
    elif _open_pause(pauses):
        status = STATUS_PAUSED
    else:
        status = STATUS_RUNNING
    state = ClockState(
        deadline=from_timestamp(deadline),
        status=status,
        elapsed_seconds=elapsed,
        remaining_seconds=target - elapsed,
        paused_seconds=paused,
    )
    return state, warning


def _deadline_and_warning(schedule, start_ts, target, spans, warning_minutes, at, pauses):
    """``(deadline ts, warning)`` of :func:`_evaluate`: the warning's pauses are
    the ones given, open ones closed at ``at``, not clipped at the clock's end."""
    warning_target = _duration_seconds(warning_minutes, 0, positive=True)
    warning_spans = normalise_pauses(_closed(pauses, at), start_ts, None)
    if warning_spans == spans:
        first, last = sorted((warning_target, target))
        early, late = deadlines_with_pauses_ts(schedule, start_ts, (first, last), spans)
        warning_ts, deadline = (early, late) if warning_target == first else (late, early)
    else:
        deadline = deadline_with_pauses_ts(schedule, start_ts, target, spans)
        warning_ts = deadline_with_pauses_ts(schedule, start_ts, warning_target, warning_spans)
    return deadline, from_timestamp(warning_ts)


def _closed(pauses, at):
    """The pauses, an open one taken to end at ``at`` (or at its start, if later)."""
    return [(begin, end or max(at, begin)) for begin, end in pauses]


def _open_pause(pauses):
    return any(pause_end is None for _pause_start, pause_end in pauses)
