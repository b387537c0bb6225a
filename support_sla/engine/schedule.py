"""Working-time schedules and business-time arithmetic.

Terms used throughout the engine:

instant
    A timezone-aware ``datetime`` in any zone. Naive datetimes are refused: the
    engine cannot guess which zone they are in. Instants are taken to the whole
    second (microseconds are dropped); results are returned in UTC.
window
    A weekly working window ``(weekday, start, end)`` read as local wall-clock time
    in the schedule's time zone: ``weekday`` 0 is Monday, ``start`` and ``end`` are
    hours (``8.5`` is 08:30, ``end`` may be ``24``) or ``datetime.time`` values.
    A day may have several windows (08:00-12:00 and 13:00-17:00).
holiday
    A whole local date on which no window opens (a public holiday).
closure
    Any closed interval between two instants (an office move, a shutdown).
open time
    The instants covered by a window on a local date that is not a holiday, minus
    the closures. Across DST changes a window lasts what the wall clock says it
    lasts: 01:00-04:00 is two real hours on a spring-forward night and four on a
    fall-back night; a window edge inside a skipped hour is read with the offset
    in force before the change (``fold=0``).
business time
    The measure of open time between two instants, in seconds.

Open time is computed once per local calendar year ("block") and kept as sorted
interval bounds with running totals, so that adding or measuring business time
is a couple of binary searches whatever the target. Nothing searches further
than :data:`HORIZON_YEARS` years ahead: past that a clear :class:`SlaError` is
raised instead of looping.
"""

import math
import threading
from bisect import bisect_left, bisect_right
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .dates import check_date
from .errors import SlaError
from .intervals import Intervals

HORIZON_YEARS = 10
"""How far ahead a deadline or an opening is looked for before giving up."""

MAX_SPAN_YEARS = 200
"""Longest span measured by :meth:`Schedule.business_seconds`."""

_DAY = 86400
_FIRST_YEAR = 1900
_LAST_YEAR = 9998


def to_timestamp(value, what="instant"):
    """Whole seconds since the epoch of an aware datetime; clear error otherwise."""
    if not isinstance(value, datetime):
        raise SlaError(f"The {what} must be a date and time, not {value!r}.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise SlaError(
            f"The {what} {value.isoformat(' ')} has no time zone; give it one (Odoo stores UTC)."
        )
    return math.floor(value.timestamp())


def from_timestamp(ts):
    """UTC datetime of whole seconds since the epoch."""
    return datetime.fromtimestamp(ts, timezone.utc)


def load_zone(name):
    """The ``ZoneInfo`` of an IANA name, or a clear error."""
    if not isinstance(name, str) or not name.strip():
        raise SlaError.of("tz_required")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SlaError.of("tz_unknown", tz=name) from exc


def _hour_to_seconds(value, what):
    if isinstance(value, time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SlaError(f"The {what} of a working window must be an hour, got {value!r}.")
    if not 0 <= value <= 24:
        raise SlaError.of("window_hour", hour=value)
    return round(value * 3600)


def _normalise_windows(windows):
    """Per weekday, the sorted and merged (start, end) seconds of its windows."""
    days = [[] for _weekday in range(7)]
    for window in windows:
        try:
            weekday, start, end = window
        except (TypeError, ValueError) as exc:
            raise SlaError(f"A working window is (weekday, start, end), got {window!r}.") from exc
        if isinstance(weekday, bool) or weekday not in range(7):
            raise SlaError(f"A weekday is 0 (Monday) to 6 (Sunday), got {weekday!r}.")
        start_s = _hour_to_seconds(start, "start")
        end_s = _hour_to_seconds(end, "end")
        if end_s < start_s:
            raise SlaError.of("window_reversed", start=start, end=end)
        days[weekday].append((start_s, end_s))
    return tuple(tuple(Intervals(spans)) for spans in days)


class _Block:
    """Open time of one local calendar year: sorted bounds and running totals."""

    __slots__ = ("before", "begin", "end", "ends", "starts", "total", "upto", "year")

    def __init__(self, year, begin, end, intervals):
        self.year = year
        self.begin = begin  # first second of the local year
        self.end = end  # first second of the next local year
        self.starts = [interval[0] for interval in intervals]
        self.ends = [interval[1] for interval in intervals]
        before = []
        upto = []
        total = 0
        for interval_start, interval_end in intervals:
            before.append(total)
            total += interval_end - interval_start
            upto.append(total)
        self.before = before  # open seconds in this block before interval i
        self.upto = upto  # open seconds in this block up to the end of interval i
        self.total = total

    def position(self, ts):
        """Open seconds of this block before ``ts``."""
        i = bisect_right(self.starts, ts) - 1
        if i < 0:
            return 0
        return self.before[i] + min(ts - self.starts[i], self.ends[i] - self.starts[i])

    def instant(self, position):
        """Earliest instant at which ``position`` open seconds of the block have passed.

        ``0 <= position <= total`` and ``total > 0``.
        """
        # bisect_left: a position reached exactly at the end of an interval gives
        # that end, not the start of the next interval.
        j = bisect_left(self.upto, position)
        return self.starts[j] + position - self.before[j]


class Schedule:
    """Weekly working windows in a time zone, minus holidays and closures.

    :param windows: iterable of ``(weekday, start, end)``; see the module docstring.
    :param tz: IANA time zone name in which the windows and holidays are read.
    :param holidays: iterable of ``datetime.date``: local dates with no open time.
    :param closures: iterable of ``(start, end)`` aware datetimes: closed intervals.

    Instances are immutable once built and cache open time per year, so one
    schedule should serve every ticket that shares it.
    """

    def __init__(self, windows, tz="UTC", holidays=(), closures=()):
        self.tz_name = tz
        self.tz = load_zone(tz)
        self.windows = _normalise_windows(windows)
        if not any(self.windows):
            raise SlaError.of("no_working_time")
        holiday_set = set()
        for holiday in holidays:
            check_date(holiday, "holiday")
            holiday_set.add(holiday)
        self.holidays = frozenset(holiday_set)
        closed = []
        for closure in closures:
            try:
                start, end = closure
            except (TypeError, ValueError) as exc:
                raise SlaError(f"A closure is (start, end), got {closure!r}.") from exc
            start_ts = to_timestamp(start, "closure start")
            end_ts = to_timestamp(end, "closure end")
            if end_ts < start_ts:
                raise SlaError.of("closure_reversed", start=start, end=end)
            closed.append((start_ts, end_ts))
        self._closures = Intervals(closed)
        self.always_open = (
            all(day == ((0, _DAY),) for day in self.windows)
            and not self.holidays
            and not self._closures
        )
        self._blocks = {}
        # (years, begins, end): the contiguous run of built years, their first
        # seconds, and the end of the last one. Replaced whole, never mutated, so
        # that readers in other threads always see a consistent index.
        self._index = ((), (), None)
        self._lock = threading.Lock()

    @classmethod
    def twenty_four_seven(cls, tz="UTC", holidays=(), closures=()):
        """Open every second of every day (24x7x365), optionally minus closures."""
        return cls([(weekday, 0, 24) for weekday in range(7)], tz, holidays, closures)

    @property
    def key(self):
        """Hashable identity: two schedules with equal keys compute the same times."""
        return (self.tz_name, self.windows, self.holidays, tuple(self._closures))

    def __repr__(self):
        return (
            f"Schedule(tz={self.tz_name!r}, windows={self.windows!r}, "
            f"holidays={len(self.holidays)}, closures={len(self._closures)})"
        )

    # -- building blocks ---------------------------------------------------

    def _local_ts(self, day, seconds):
        moment = datetime(day.year, day.month, day.day, tzinfo=self.tz) + timedelta(seconds=seconds)
        return math.floor(moment.timestamp())

    def _build(self, year):
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            raise SlaError.of("year_out_of_range", year=year, first=_FIRST_YEAR, last=_LAST_YEAR)
        first = date(year, 1, 1)
        following = date(year + 1, 1, 1)
        begin = self._local_ts(first, 0)
        end = self._local_ts(following, 0)
        spans = []
        day = first
        one_day = timedelta(days=1)
        windows = self.windows
        holidays = self.holidays
        local_ts = self._local_ts
        while day < following:
            if day not in holidays:
                for start_s, end_s in windows[day.weekday()]:
                    # A window wholly inside a skipped DST hour is empty: dropped.
                    spans.append((local_ts(day, start_s), local_ts(day, end_s)))
            day += one_day
        open_time = Intervals(spans) - self._closures
        return _Block(year, begin, end, open_time)

    def _block(self, year):
        block = self._blocks.get(year)
        if block is not None:
            return block
        with self._lock:
            block = self._blocks.get(year)
            if block is None:
                block = self._build(year)
                self._blocks[year] = block
                self._extend_index(block)
        return block

    def _extend_index(self, block):
        """Add ``block`` to the contiguous index if it touches either end."""
        years, begins, end = self._index
        if not years:
            self._index = ((block.year,), (block.begin,), block.end)
        elif block.year == years[-1] + 1:
            self._index = (years + (block.year,), begins + (block.begin,), block.end)
        elif block.year == years[0] - 1:
            self._index = ((block.year, *years), (block.begin, *begins), end)

    def _block_at(self, ts):
        """The block (local year) containing the instant ``ts``."""
        years, begins, end = self._index
        if years and begins[0] <= ts < end:
            return self._blocks[years[bisect_right(begins, ts) - 1]]
        try:
            year = datetime.fromtimestamp(ts, self.tz).year
        except (OverflowError, OSError, ValueError) as exc:
            raise SlaError.of("date_out_of_range") from exc
        # Build the gap too, so that the index stays contiguous.
        if years and year > years[-1]:
            for missing in range(years[-1] + 1, min(year, years[-1] + MAX_SPAN_YEARS)):
                self._block(missing)
        elif years and year < years[0]:
            for missing in range(years[0] - 1, max(year, years[0] - MAX_SPAN_YEARS), -1):
                self._block(missing)
        return self._block(year)

    # -- operations on whole seconds ------------------------------------------

    def add_seconds_ts(self, start, seconds):
        """Instant (ts) at which ``seconds`` of open time have passed since ``start``.

        With ``seconds == 0`` this is the next opening at or after ``start``.
        """
        if self.always_open:
            return start + seconds
        block = self._block_at(start)
        if seconds == 0:
            i = bisect_right(block.ends, start)
            if i < len(block.starts):
                return max(start, block.starts[i])
            target = 0  # opens in a later year: its first open second
        else:
            target = block.position(start) + seconds
            if target <= block.total:
                return block.instant(target)
            target -= block.total
        for year in range(block.year + 1, block.year + HORIZON_YEARS + 1):
            block = self._block(year)
            if block.total and target <= block.total:
                return block.starts[0] if target == 0 else block.instant(target)
            target -= block.total
        raise SlaError.of("no_opening", years=HORIZON_YEARS, start=from_timestamp(start))

    def business_seconds_ts(self, start, end):
        """Open seconds between ``start`` and ``end`` (negative if end < start)."""
        if end < start:
            return -self.business_seconds_ts(end, start)
        if self.always_open:
            return end - start
        if end - start > MAX_SPAN_YEARS * 366 * _DAY:
            raise SlaError.of("span_too_long", years=MAX_SPAN_YEARS)
        first = self._block_at(start)
        last = self._block_at(end)
        if first is last:
            return last.position(end) - first.position(start)
        total = first.total - first.position(start)
        for year in range(first.year + 1, last.year):
            total += self._block(year).total
        return total + last.position(end)

    # -- public API on datetimes -------------------------------------------

    def add(self, start, minutes=0, seconds=0):
        """Instant (UTC) at which the given business time has passed since ``start``.

        With no duration, this is the next opening at or after ``start``.
        """
        amount = _duration_seconds(minutes, seconds)
        return from_timestamp(self.add_seconds_ts(to_timestamp(start, "start"), amount))

    def next_opening(self, start):
        """First open instant at or after ``start`` (UTC)."""
        return self.add(start)

    def business_seconds(self, start, end):
        """Business time between two instants, in seconds (negative if reversed)."""
        return self.business_seconds_ts(to_timestamp(start, "start"), to_timestamp(end, "end"))

    def is_open(self, instant):
        """Whether ``instant`` is inside open time."""
        ts = to_timestamp(instant)
        return self.business_seconds_ts(ts, ts + 1) == 1


def _duration_seconds(minutes, seconds, positive=False):
    for value, what in ((minutes, "minutes"), (seconds, "seconds")):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SlaError(f"A duration in {what} must be a number, got {value!r}.")
        if math.isnan(value) or math.isinf(value):
            raise SlaError(f"A duration in {what} must be finite, got {value!r}.")
    total = round(minutes * 60 + seconds)
    if total < 0 or (positive and total == 0):
        raise SlaError.of(
            "target_not_positive" if positive else "duration_negative", minutes=minutes
        )
    return total
