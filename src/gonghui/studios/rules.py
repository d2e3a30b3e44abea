"""Pure rules of studios and topics (no database): transitions, review arithmetic, the yearly check."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .choices import CheckOutcome, StudioStatus, TopicStatus

__all__ = [
    "TOPIC_TRANSITIONS",
    "approval_refusal",
    "average_score",
    "check_outcome",
    "parse_score",
    "topic_next_status",
]

S = TopicStatus

# action → (states it may start from, state it leads to). A review moves "submitted" to
# "under_review" and leaves "under_review" as it is.
TOPIC_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({S.DRAFT}), S.SUBMITTED),
    "review": (frozenset({S.SUBMITTED, S.UNDER_REVIEW}), S.UNDER_REVIEW),
    "approve": (frozenset({S.UNDER_REVIEW}), S.APPROVED),
    "reject": (frozenset({S.SUBMITTED, S.UNDER_REVIEW}), S.REJECTED),
    "midterm": (frozenset({S.APPROVED}), S.MIDTERM_PASSED),
    "accept": (frozenset({S.MIDTERM_PASSED}), S.ACCEPTED),
    # "fail": a failed mid-term inspection (from approved) or a failed acceptance (from midterm_passed).
    "fail": (frozenset({S.APPROVED, S.MIDTERM_PASSED}), S.FAILED),
}

TWO_PLACES = Decimal("0.01")


def topic_next_status(action: str, current: str) -> str | None:
    """The state `action` leads to from `current`, or None when the action is not allowed there."""
    entry = TOPIC_TRANSITIONS.get(action)
    if entry is None or current not in entry[0]:
        return None
    return str(entry[1])


def parse_score(value: object) -> Decimal:
    """A score as Decimal in [0, 100] with at most two decimals; ValueError otherwise."""
    if isinstance(value, float):
        value = repr(value)
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError("not a number") from None
    if not score.is_finite() or score < 0 or score > 100:
        raise ValueError("out of range")
    if score != score.quantize(TWO_PLACES):
        raise ValueError("too many decimals")
    return score.quantize(TWO_PLACES)


def average_score(scores: Iterable[Decimal]) -> Decimal | None:
    """Arithmetic mean rounded half-up to two places; None for no scores."""
    values = list(scores)
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def approval_refusal(scores: Iterable[Decimal], *, required: int, line: Decimal) -> str | None:
    """None when a topic may be approved, else the refusal code."""
    values = list(scores)
    if len(values) < required:
        return "not_enough_reviews"
    avg = average_score(values)
    if avg is None or avg < line:
        return "below_approval_line"
    return None


def check_outcome(status: str, result_count: int) -> tuple[str, str] | None:
    """The yearly results check: (outcome, new status), or None for a studio that is not checked.

    A named studio without a result in the year is warned; a warned studio still without one is
    revoked (摘牌); a warned studio with a result is restored to named.
    """
    if status == StudioStatus.NAMED:
        return (CheckOutcome.OK, StudioStatus.NAMED) if result_count else (CheckOutcome.WARNED, StudioStatus.WARNED)
    if status == StudioStatus.WARNED:
        if result_count:
            return CheckOutcome.RESTORED, StudioStatus.NAMED
        return CheckOutcome.REVOKED, StudioStatus.REVOKED
    return None
