from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.studios import rules
from gonghui.studios.choices import CheckOutcome, StudioStatus, TopicStatus

ALLOWED = {
    ("submit", "draft"): "submitted",
    ("review", "submitted"): "under_review",
    ("review", "under_review"): "under_review",
    ("approve", "under_review"): "approved",
    ("reject", "submitted"): "rejected",
    ("reject", "under_review"): "rejected",
    ("midterm", "approved"): "midterm_passed",
    ("accept", "midterm_passed"): "accepted",
    ("fail", "approved"): "failed",
    ("fail", "midterm_passed"): "failed",
}


def test_topic_states_are_exactly_the_contract():
    assert TopicStatus.values == ["draft", "submitted", "under_review", "approved", "rejected", "midterm_passed",
                                  "accepted", "failed"]


@pytest.mark.parametrize("action", ["submit", "review", "approve", "reject", "midterm", "accept", "fail"])
@pytest.mark.parametrize("state", TopicStatus.values)
def test_transition_table_exhaustive(action, state):
    assert rules.topic_next_status(action, state) == ALLOWED.get((action, state))


def test_unknown_action_is_refused():
    assert rules.topic_next_status("delete", "draft") is None


def test_no_acceptance_before_approval_and_midterm():
    for state in ("draft", "submitted", "under_review", "approved", "rejected", "accepted", "failed"):
        assert rules.topic_next_status("accept", state) is None


@pytest.mark.parametrize("raw, expected", [("85", Decimal("85.00")), ("0", Decimal("0.00")), ("100", Decimal("100.00")),
                                           ("72.5", Decimal("72.50")), (Decimal("99.99"), Decimal("99.99")),
                                           (90, Decimal("90.00"))])
def test_parse_score_accepts(raw, expected):
    assert rules.parse_score(raw) == expected


@pytest.mark.parametrize("raw", ["-1", "100.01", "abc", "", "NaN", "Infinity", "85.555", None])
def test_parse_score_refuses(raw):
    with pytest.raises(ValueError):
        rules.parse_score(raw)


def test_average_exact_decimal():
    assert rules.average_score([Decimal("88"), Decimal("85"), Decimal("90")]) == Decimal("87.67")
    assert rules.average_score([Decimal("75"), Decimal("75"), Decimal("75.01")]) == Decimal("75.00")
    assert rules.average_score([]) is None


def test_approval_refusal():
    line = Decimal("75")
    assert rules.approval_refusal([Decimal(90)] * 2, required=3, line=line) == "not_enough_reviews"
    assert rules.approval_refusal([Decimal(74), Decimal(75), Decimal(75)], required=3, line=line) == \
        "below_approval_line"
    assert rules.approval_refusal([Decimal(75)] * 3, required=3, line=line) is None
    assert rules.approval_refusal([Decimal(80)], required=1, line=Decimal("80")) is None


@given(st.lists(st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False),
                min_size=1, max_size=20))
def test_average_lies_between_min_and_max(scores):
    avg = rules.average_score(scores)
    assert min(scores) <= avg <= max(scores)
    assert avg == avg.quantize(Decimal("0.01"))


@pytest.mark.parametrize("status, results, expected", [
    (StudioStatus.NAMED, 2, (CheckOutcome.OK, StudioStatus.NAMED)),
    (StudioStatus.NAMED, 0, (CheckOutcome.WARNED, StudioStatus.WARNED)),
    (StudioStatus.WARNED, 0, (CheckOutcome.REVOKED, StudioStatus.REVOKED)),
    (StudioStatus.WARNED, 1, (CheckOutcome.RESTORED, StudioStatus.NAMED)),
    (StudioStatus.PENDING, 0, None),
    (StudioStatus.REVOKED, 0, None),
])
def test_check_outcome(status, results, expected):
    assert rules.check_outcome(status, results) == expected
