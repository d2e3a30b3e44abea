"""Pure rules of activities, exhaustively and with hypothesis."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.activities import rules

T0 = dt.datetime(2025, 7, 10, 9, 0, tzinfo=dt.UTC)
START = T0 + dt.timedelta(days=5)


@pytest.mark.parametrize(("now", "status", "opens", "closes", "expected"), [
    (T0, "draft", None, None, "draft"),
    (T0, "cancelled", None, None, "cancelled"),
    (T0, "finished", None, None, "finished"),
    (T0, "closed", None, None, "closed"),
    (T0, "published", None, None, "open"),
    (START - dt.timedelta(seconds=1), "published", None, None, "open"),
    (START, "published", None, None, "closed"),                       # closes at the start by default
    (T0, "published", T0 + dt.timedelta(hours=1), None, "not_yet"),
    (T0 + dt.timedelta(hours=1), "published", T0 + dt.timedelta(hours=1), None, "open"),  # opens inclusive
    (T0, "published", None, T0, "closed"),                            # closes exclusive
    (T0 - dt.timedelta(seconds=1), "published", None, T0, "open"),
])
def test_signup_window_state(now, status, opens, closes, expected):
    assert rules.signup_window_state(now=now, status=status, starts_at=START, opens_at=opens,
                                     closes_at=closes) == expected


@pytest.mark.parametrize(("confirmed", "capacity", "expected"), [
    (0, None, "confirmed"), (999, None, "confirmed"), (0, 1, "confirmed"), (1, 1, "waitlisted"),
    (4, 5, "confirmed"), (5, 5, "waitlisted"), (6, 5, "waitlisted"),
])
def test_status_for_new_signup(confirmed, capacity, expected):
    assert rules.status_for_new_signup(confirmed=confirmed, capacity=capacity) == expected


@given(confirmed=st.integers(0, 50), capacity=st.one_of(st.none(), st.integers(1, 50)), waiting=st.integers(0, 50))
def test_places_to_promote_never_overfills(confirmed, capacity, waiting):
    n = rules.places_to_promote(confirmed=confirmed, capacity=capacity, waiting=waiting)
    assert 0 <= n <= waiting
    if capacity is None:
        assert n == waiting
    else:
        assert confirmed + n <= max(capacity, confirmed)
        # Every free place is used while someone waits.
        assert n == min(waiting, max(0, capacity - confirmed))


@given(st.lists(st.integers(1, 10_000), unique=True, max_size=30))
def test_waitlist_positions_follow_sequence(seqs):
    positions = rules.waitlist_positions(seqs)
    assert sorted(positions.values()) == list(range(1, len(seqs) + 1))
    for a in seqs:
        for b in seqs:
            if a < b:
                assert positions[a] < positions[b]


def test_ancestor_paths():
    assert rules.ancestor_paths("0001000A0003") == ["0001", "0001000A", "0001000A0003"]
    assert rules.ancestor_paths("0001") == ["0001"]


@pytest.mark.parametrize(("path", "audience_type", "audience", "expected"), [
    ("00010002", "subtree", ["0001"], True),
    ("0001", "subtree", ["0001"], True),
    ("00020001", "subtree", ["0001"], False),
    ("00010002", "units", ["00010003", "00010002"], True),
    ("000100020005", "units", ["00010002"], True),     # a named unit includes its sub-unions
    ("00010003", "units", ["00010002"], False),
    ("00010003", "units", [], False),
    ("00010003", "other", ["0001"], False),
    ("00010003", "subtree", [""], False),
])
def test_is_eligible(path, audience_type, audience, expected):
    assert rules.is_eligible(member_org_path=path, audience_type=audience_type, audience_paths=audience) is expected


@pytest.mark.parametrize(("now", "status", "expected"), [
    (START - dt.timedelta(hours=2, seconds=1), "published", "too_early"),
    (START - dt.timedelta(hours=2), "published", "open"),
    (START + dt.timedelta(days=3), "finished", "open"),   # attendance entered afterwards from a paper list
    (START, "closed", "open"),
    (START, "draft", "draft"),
    (START, "cancelled", "cancelled"),
])
def test_checkin_state(now, status, expected):
    assert rules.checkin_state(now=now, status=status, starts_at=START) == expected


def test_status_transitions():
    assert rules.can_transition("draft", "published")
    assert rules.can_transition("closed", "published")
    assert not rules.can_transition("finished", "published")
    assert not rules.can_transition("cancelled", "published")
    assert not rules.can_transition("draft", "finished")
    for status, targets in rules.STATUS_TRANSITIONS.items():
        assert status not in targets
