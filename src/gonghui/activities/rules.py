"""Pure rules of activities: no database, tested exhaustively.

- Sign-up window: sign-up is possible while the activity is published, from `signup_opens_at`
  (or publication) until `signup_closes_at` (or the start of the activity).
- Capacity: a sign-up is confirmed while confirmed < capacity, otherwise waitlisted; no capacity
  means no limit.
- Waitlist: served strictly in the order of the sign-up requests (`seq`); a freed place goes to the
  first waiting request.
- Eligibility: the member's union lies in the audience organisation's subtree, or in the subtree of
  one of the named units.
- Check-in: from two hours before the start; afterwards attendance may still be entered from a paper
  list (补录) until the activity is cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

__all__ = [
    "CHECKIN_EARLY",
    "STATUS_TRANSITIONS",
    "SignupWindow",
    "ancestor_paths",
    "can_transition",
    "checkin_state",
    "is_eligible",
    "places_to_promote",
    "signup_window_state",
    "status_for_new_signup",
    "waitlist_positions",
]

CHECKIN_EARLY = dt.timedelta(hours=2)

# Activity status → statuses it may move to.
STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"published", "cancelled"}),
    "published": frozenset({"closed", "cancelled", "finished"}),
    "closed": frozenset({"published", "cancelled", "finished"}),
    "cancelled": frozenset(),
    "finished": frozenset(),
}


class SignupWindow:
    OPEN = "open"
    NOT_YET = "not_yet"
    CLOSED = "closed"          # closed by time or by staff (status "closed")
    NOT_PUBLISHED = "draft"
    CANCELLED = "cancelled"
    FINISHED = "finished"


def can_transition(current: str, new: str) -> bool:
    return new in STATUS_TRANSITIONS.get(current, frozenset())


def signup_window_state(
    *, now: dt.datetime, status: str, starts_at: dt.datetime,
    opens_at: dt.datetime | None, closes_at: dt.datetime | None,
) -> str:
    """Whether a member can sign up now, and if not, why."""
    if status == "draft":
        return SignupWindow.NOT_PUBLISHED
    if status == "cancelled":
        return SignupWindow.CANCELLED
    if status == "finished":
        return SignupWindow.FINISHED
    if status == "closed":
        return SignupWindow.CLOSED
    end = closes_at if closes_at is not None else starts_at
    if now >= end:
        return SignupWindow.CLOSED
    if opens_at is not None and now < opens_at:
        return SignupWindow.NOT_YET
    return SignupWindow.OPEN


def status_for_new_signup(*, confirmed: int, capacity: int | None) -> str:
    """'confirmed' while a place is free, else 'waitlisted'."""
    if capacity is None or confirmed < capacity:
        return "confirmed"
    return "waitlisted"


def places_to_promote(*, confirmed: int, capacity: int | None, waiting: int) -> int:
    """How many waiting requests move up now that `confirmed` hold a place."""
    if waiting <= 0:
        return 0
    if capacity is None:
        return waiting
    return max(0, min(waiting, capacity - confirmed))


def waitlist_positions(seqs: Iterable[int]) -> dict[int, int]:
    """seq → 1-based position in the waitlist (served in seq order)."""
    return {seq: i for i, seq in enumerate(sorted(seqs), start=1)}


def ancestor_paths(path: str, steplen: int = 4) -> list[str]:
    """The paths of an organisation and all its ancestors (materialised path, fixed step)."""
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def is_eligible(*, member_org_path: str, audience_type: str, audience_paths: Sequence[str]) -> bool:
    """The member's union lies in the subtree of one of the audience organisations."""
    if audience_type not in ("subtree", "units"):
        return False
    return any(member_org_path.startswith(p) for p in audience_paths if p)


def checkin_state(*, now: dt.datetime, status: str, starts_at: dt.datetime) -> str:
    """'open', 'too_early', or the status that forbids check-in ('draft', 'cancelled')."""
    if status in ("draft", "cancelled"):
        return status
    if now < starts_at - CHECKIN_EARLY:
        return "too_early"
    return "open"
