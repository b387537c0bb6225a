"""Sets of instants as sorted, disjoint half-open spans.

An :class:`Intervals` is the set of numbers ``x`` with ``start <= x < end`` for
one of its spans ``(start, end)``. Whatever spans it is built from (unsorted,
overlapping, touching, empty or reversed), it keeps the one canonical form of
that set: spans sorted, each non-empty, no two overlapping or touching. Two
values are therefore equal exactly when they hold the same numbers.

The engine uses it for working windows (seconds of a day), open time (seconds
since the epoch), closures and pauses; it is built where sets are built, not in
the per-deadline lookups, which read the plain bounds kept by each block.
"""

from bisect import bisect_right

_set = object.__setattr__  # the only way in: instances refuse attribute assignment


class Intervals:
    """Immutable set of half-open spans ``[start, end)`` of numbers.

    ``a | b`` (union), ``a & b`` (intersection) and ``a - b`` (difference) give new
    values; iteration yields the ``(start, end)`` tuples in order, ``len()``
    counts them and an empty value is false.
    """

    __slots__ = ("_spans",)

    def __init__(self, spans=()):
        merged = []
        for start, end in sorted(spans):
            if end <= start:
                continue
            if merged and start <= merged[-1][1]:
                if end > merged[-1][1]:
                    merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        _set(self, "_spans", tuple(merged))

    @classmethod
    def _of(cls, spans):
        """The value of spans already in canonical form (no check)."""
        value = object.__new__(cls)
        _set(value, "_spans", tuple(spans))
        return value

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name):
        raise AttributeError(f"{type(self).__name__} is immutable")

    # -- container -------------------------------------------------------------

    def __iter__(self):
        return iter(self._spans)

    def __len__(self):
        return len(self._spans)

    def __bool__(self):
        return bool(self._spans)

    def __eq__(self, other):
        if not isinstance(other, Intervals):
            return NotImplemented
        return self._spans == other._spans

    def __hash__(self):
        return hash(self._spans)

    def __repr__(self):
        return f"Intervals({list(self._spans)!r})"

    def __reduce__(self):
        return (Intervals, (self._spans,))

    # -- algebra ---------------------------------------------------------------

    def __or__(self, other):
        if not isinstance(other, Intervals):
            return NotImplemented
        if not other._spans:
            return self
        if not self._spans:
            return other
        return Intervals(self._spans + other._spans)

    def __and__(self, other):
        if not isinstance(other, Intervals):
            return NotImplemented
        mine, theirs = self._spans, other._spans
        if not mine or not theirs:
            return EMPTY
        if len(theirs) > len(mine):
            mine, theirs = theirs, mine
        # Only the spans of the longer operand within reach of the shorter one.
        first, last = _reach(mine, theirs[0][0], theirs[-1][1])
        result = []
        i = first
        j = 0
        while i < last and j < len(theirs):
            start = max(mine[i][0], theirs[j][0])
            end = min(mine[i][1], theirs[j][1])
            if start < end:
                result.append((start, end))
            if mine[i][1] < theirs[j][1]:
                i += 1
            else:
                j += 1
        return Intervals._of(result)

    def __sub__(self, other):
        if not isinstance(other, Intervals):
            return NotImplemented
        mine, theirs = self._spans, other._spans
        if not mine or not theirs:
            return self
        first, last = _reach(theirs, mine[0][0], mine[-1][1])
        if first >= last:
            return self
        result = []
        k = first
        for start, end in mine:
            while k < last and theirs[k][1] <= start:
                k += 1
            cursor = start
            m = k
            while m < last and theirs[m][0] < end:
                cut_start, cut_end = theirs[m]
                if cut_start > cursor:
                    result.append((cursor, cut_start))
                cursor = cut_end  # > cursor: the cuts are sorted and disjoint
                if cursor >= end:
                    break
                m += 1
            if cursor < end:
                result.append((cursor, end))
        return Intervals._of(result)


def _reach(spans, start, end):
    """``(first, last)``: spans[first:last] holds every span meeting ``[start, end)``.

    ``spans`` is in canonical form; found by binary search, so that a long set
    (closures over many years) costs little against a short one (one year).
    """
    first = max(bisect_right(spans, (start,)) - 1, 0)
    return first, bisect_right(spans, (end,))


EMPTY = Intervals()
"""The empty set (shared: values never change)."""
