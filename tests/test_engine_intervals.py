"""The engine's ``Intervals``: a set of half-open spans, checked against sets of points.

On integer bounds, a span ``[start, end)`` holds the integer points
``start, ..., end - 1``, and a set of spans is exactly the set of points it holds:
every operation is compared with the same operation on Python sets of points.
"""

import os
import pickle
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support_sla.engine.intervals import Intervals

UNIVERSE = (-5, 60)  # every drawn bound lies inside; U is the span of the whole universe
U = Intervals([UNIVERSE])

PROFILE = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "300")), deadline=None)

bounds = st.integers(*UNIVERSE)
# Any pairs: unsorted, overlapping, touching, empty and reversed spans included.
raw_spans = st.lists(st.tuples(bounds, bounds), max_size=12)
intervals = raw_spans.map(Intervals)


def points(spans):
    """The integer points held by ``spans``."""
    return {x for start, end in spans for x in range(start, end)}


def from_points(held):
    """The canonical spans of a set of integer points (runs of consecutive points)."""
    spans = []
    for x in sorted(held):
        if spans and spans[-1][1] == x:
            spans[-1][1] = x + 1
        else:
            spans.append([x, x + 1])
    return [tuple(span) for span in spans]


def assert_canonical(value):
    spans = list(value)
    for start, end in spans:
        assert start < end
    for (_start, end), (next_start, _end) in pairwise(spans):
        assert end < next_start  # sorted, disjoint and not even touching


@PROFILE
@given(raw_spans)
def test_built_from_any_spans_it_holds_their_points_in_canonical_form(spans):
    value = Intervals(spans)
    assert_canonical(value)
    assert points(value) == points(spans)
    assert list(value) == from_points(points(spans))
    assert len(value) == len(from_points(points(spans)))
    assert bool(value) == bool(points(spans))
    assert sum(end - start for start, end in value) == len(points(spans))


@PROFILE
@given(raw_spans, raw_spans)
def test_equal_exactly_when_the_same_points(a, b):
    assert (Intervals(a) == Intervals(b)) == (points(a) == points(b))
    if points(a) == points(b):
        assert hash(Intervals(a)) == hash(Intervals(b))


@PROFILE
@given(intervals, intervals)
def test_union_intersection_difference_are_those_of_the_points(a, b):
    for result, expected in (
        (a | b, points(a) | points(b)),
        (a & b, points(a) & points(b)),
        (a - b, points(a) - points(b)),
        (b - a, points(b) - points(a)),
    ):
        assert_canonical(result)
        assert points(result) == expected


@PROFILE
@given(intervals)
def test_idempotence_and_identities(a):
    empty = Intervals()
    assert a | a == a
    assert a & a == a
    assert a - a == empty
    assert a | empty == a
    assert a & empty == empty
    assert a - empty == a
    assert empty - a == empty
    assert a & U == a
    assert a | U == U


@PROFILE
@given(intervals, intervals, intervals)
def test_commutativity_associativity_distributivity(a, b, c):
    assert a | b == b | a
    assert a & b == b & a
    assert (a | b) | c == a | (b | c)
    assert (a & b) & c == a & (b & c)
    assert a & (b | c) == (a & b) | (a & c)
    assert a | (b & c) == (a | b) & (a | c)
    assert a - (b | c) == (a - b) - c
    assert a - b == a & (U - b)


@PROFILE
@given(intervals, intervals)
def test_de_morgan_in_a_bounded_universe(a, b):
    assert U - (a | b) == (U - a) & (U - b)
    assert U - (a & b) == (U - a) | (U - b)
    assert U - (U - a) == a


@PROFILE
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 30)), max_size=80), intervals)
def test_long_sets_against_short_ones(starts, b):
    # Many spans against a few: the binary search that skips spans out of reach.
    a = Intervals((start, start + length) for start, length in starts)
    assert points(a - b) == points(a) - points(b)
    assert points(b - a) == points(b) - points(a)
    assert points(a & b) == points(a) & points(b)
    assert points(b & a) == points(a) & points(b)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e9, 1e9), st.floats(-1e9, 1e9)), max_size=8))
def test_any_numbers_not_only_integers(spans):
    value = Intervals(spans)
    assert_canonical(value)
    kept = [(start, end) for start, end in spans if start < end]
    # Each span given lies inside one span kept, whose bounds are bounds given.
    for start, end in kept:
        assert any(low <= start and end <= high for low, high in value)
    for low, high in value:
        assert low in {start for start, _end in kept}
        assert high in {end for _start, end in kept}


def test_value_semantics():
    value = Intervals([(5, 7), (1, 3), (3, 4), (9, 9), (12, 10)])
    assert list(value) == [(1, 4), (5, 7)]
    assert repr(value) == "Intervals([(1, 4), (5, 7)])"
    assert value == Intervals([(1, 4), (5, 7)])
    assert value != [(1, 4), (5, 7)]  # not a list
    assert pickle.loads(pickle.dumps(value)) == value
    assert {value, Intervals([(5, 7), (1, 4)])} == {value}
    assert not Intervals() and len(Intervals()) == 0
    with pytest.raises(AttributeError):
        value._spans = ()
    with pytest.raises(AttributeError):
        value.other = 1
    with pytest.raises(AttributeError):
        del value._spans
    assert list(value) == [(1, 4), (5, 7)]
    with pytest.raises(TypeError):
        value | [(1, 2)]
