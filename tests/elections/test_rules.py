"""Every rule of RULES.md §1 and §2 at its boundaries; hypothesis for the tally invariants."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.elections import rules
from gonghui.elections.rules import BallotMarks

# ---------------------------------------------------------------- F rules

@pytest.mark.parametrize(("members", "body"), [(24, "committee_or_organiser"), (25, "committee"), (26, "committee")])
def test_f1_committee_required_from_25(members, body):
    assert rules.unit_body(members) == body


@pytest.mark.parametrize(("employees", "full_time"), [(199, False), (200, True)])
def test_f2_full_time_chair_from_200(employees, full_time):
    assert rules.full_time_chair_required(employees) is full_time


@pytest.mark.parametrize(("members", "kind"), [(1, "general"), (100, "general"), (101, "representative")])
def test_f3_general_meeting_up_to_100(members, kind):
    assert rules.meeting_type(members) == kind


@pytest.mark.parametrize(("years", "ok"), [(2, False), (3, True), (4, False), (5, True), (6, False)])
def test_f4_term_three_or_five(years, ok):
    assert rules.term_valid(years) is ok


def test_f4_term_configurable():
    assert rules.term_valid(4, allowed=[4])
    assert not rules.term_valid(5, allowed=[4])


@pytest.mark.parametrize(("women", "required"), [(0, False), (9, False), (10, True), (11, True)])
def test_f7_women_committee_from_10_women(women, required):
    assert rules.women_committee_required(women) is required


@pytest.mark.parametrize(("members", "size"), [
    (1, (1, 1)), (25, (1, 1)), (26, (3, 7)), (200, (3, 7)), (201, (7, 15)), (1000, (7, 15)),
    (1001, (15, 21)), (5000, (15, 21)), (5001, (21, 29)), (10000, (21, 29)), (10001, (21, 37)),
])
def test_f8_committee_size_bands(members, size):
    assert rules.committee_size(members) == size


def test_f8_table_configurable():
    table = [(50, 3, 5), (None, 5, 9)]
    assert rules.committee_size(50, table) == (3, 5)
    assert rules.committee_size(51, table) == (5, 9)


@pytest.mark.parametrize(("women_delegates", "ok"), [(29, False), (30, True)])
def test_f9_women_share_of_delegates(women_delegates, ok):
    # 300 of 1000 members are women; 100 delegates → at least 30 women delegates.
    assert rules.women_delegates_ok(women_delegates=women_delegates, delegates=100, women_members=300,
                                    members=1000) is ok


# ---------------------------------------------------------------- V rules

@pytest.mark.parametrize(("present", "due", "met"), [(79, 120, False), (80, 120, True), (81, 120, True),
                                                     (2, 3, True), (1, 3, False), (0, 0, False)])
def test_v1_quorum_two_thirds_inclusive(present, due, met):
    assert rules.quorum_met(present=present, due=due) is met


@pytest.mark.parametrize(("present", "met"), [(80, False), (81, True)])
def test_v1_quorum_strict_configurable(present, met):
    assert rules.quorum_met(present=present, due=120, strict=True) is met


def test_v2_threshold_more_than_half_of_due():
    assert rules.threshold(due=120) == 61  # exactly half (60) is not enough
    assert rules.threshold(due=121) == 61
    assert rules.threshold(due=120, present=85) == 61


def test_v2_threshold_base_present_configurable():
    assert rules.threshold(due=120, present=85, base="present") == 43
    assert rules.threshold(due=120, present=84, base="present") == 43


def test_v2_exactly_half_the_votes_is_not_elected():
    ballots = [BallotMarks(yes=("甲",))] * 60 + [BallotMarks(no=("甲",))] * 60
    result = rules.tally(candidates=["甲"], seats=1, threshold=rules.threshold(due=120), issued=120,
                         ballots=ballots)
    assert result.votes == {"甲": 60}
    assert result.elected == [] and result.shortfall == 1
    ballots = [BallotMarks(yes=("甲",))] * 61 + [BallotMarks(no=("甲",))] * 59
    result = rules.tally(candidates=["甲"], seats=1, threshold=61, issued=120, ballots=ballots)
    assert result.elected == ["甲"]


@pytest.mark.parametrize(("seats", "least"), [(1, 2), (9, 10), (20, 21), (21, 23), (40, 42), (41, 44)])
def test_v3_competitive_minimum(seats, least):
    assert rules.competitive_minimum(seats=seats) == least


def test_v3_percentage_configurable_decimal():
    assert rules.competitive_minimum(seats=9, pct=Decimal("0.2")) == 11  # 1.8 → 2
    assert rules.competitive_minimum(seats=10, pct=Decimal("0.2")) == 12


@pytest.mark.parametrize(("method", "seats", "candidates", "problem"), [
    ("competitive", 20, 20, "not_competitive"), ("competitive", 20, 21, ""),
    ("competitive", 21, 22, "not_competitive"), ("competitive", 21, 23, ""),
    ("equal", 5, 5, ""), ("equal", 5, 4, "too_few_candidates"),
])
def test_v3_candidates_problem(method, seats, candidates, problem):
    assert rules.candidates_problem(method=method, seats=seats, candidates=candidates) == problem


def test_v4_stroke_order_of_surnames():
    # 丁 2, 马 3, 王 4, 刘 6, 张 7, 李 7: same count, so code point: 张 U+5F20 before 李 U+674E
    names = ["张伟", "王芳", "丁一", "李娜", "马超", "刘洋"]
    assert rules.stroke_sorted(names) == ["丁一", "马超", "王芳", "刘洋", "张伟", "李娜"]


def test_v4_same_surname_sorts_by_given_name_strokes():
    assert rules.stroke_sorted(["王慧敏", "王一", "王小"]) == ["王一", "王小", "王慧敏"]


def test_v4_compound_surname_is_one_surname_after_the_single():
    assert rules.split_surname("欧阳修") == ("欧阳", "修")
    assert rules.split_surname("欧小") == ("欧", "小")
    # 欧小 (surname 欧) before 欧阳丁 (surname 欧阳): the surname decides, not 阳 vs 小.
    assert rules.stroke_sorted(["欧阳丁", "欧小"]) == ["欧小", "欧阳丁"]
    assert rules.char_strokes("欧") == 8


def test_v4_unknown_character_sorts_last():
    assert rules.stroke_sorted(["Smith", "王一"]) == ["王一", "Smith"]


@pytest.mark.parametrize(("issued", "returned", "void"), [(85, 84, False), (85, 85, False), (85, 86, True)])
def test_v5_round_void_when_more_returned_than_issued(issued, returned, void):
    assert rules.round_void(issued=issued, returned=returned) is void


def test_v5_void_round_elects_nobody():
    ballots = [BallotMarks(yes=("甲",))] * 3
    result = rules.tally(candidates=["甲"], seats=1, threshold=1, issued=2, ballots=ballots)
    assert result.round_valid is False and result.elected == [] and result.shortfall == 1


@pytest.mark.parametrize(("yes", "write_ins", "void"), [(3, 0, False), (2, 1, False), (4, 0, True), (3, 1, True)])
def test_v6_ballot_void_over_seats(yes, write_ins, void):
    assert rules.ballot_void(yes=yes, write_ins=write_ins, seats=3) is void


def test_v6_void_ballot_not_counted():
    ballots = [BallotMarks(yes=("甲", "乙")), BallotMarks(yes=("甲",), write_in=("丙",))]
    result = rules.tally(candidates=["甲", "乙"], seats=1, threshold=1, issued=2, ballots=ballots)
    assert (result.valid_ballots, result.void_ballots) == (0, 2)
    assert result.votes == {"甲": 0, "乙": 0}


def test_v7_seats_by_votes_and_tie_at_last_seat():
    ballots = ([BallotMarks(yes=("甲", "乙"))] * 5 + [BallotMarks(yes=("甲", "丙"))] * 5
               + [BallotMarks(yes=("丁",))] * 1)
    result = rules.tally(candidates=["甲", "乙", "丙", "丁"], seats=2, threshold=4, issued=11, ballots=ballots)
    assert result.votes == {"甲": 10, "乙": 5, "丙": 5, "丁": 1}
    assert result.elected == ["甲"] and result.revote == ["乙", "丙"] and result.revote_seats == 1
    assert result.shortfall == 0


def test_v7_more_pass_than_seats_highest_win():
    ballots = [BallotMarks(yes=("甲", "乙"))] * 6 + [BallotMarks(yes=("甲", "丙"))] * 5
    result = rules.tally(candidates=["甲", "乙", "丙"], seats=2, threshold=5, issued=11, ballots=ballots)
    assert result.elected == ["甲", "乙"] and result.revote == [] and result.passed == ["甲", "乙", "丙"]


def test_v8_shortfall_and_highest_below_threshold_never_elected():
    ballots = [BallotMarks(yes=("甲", "乙"))] * 6 + [BallotMarks(yes=("丙",))] * 4
    result = rules.tally(candidates=["甲", "乙", "丙"], seats=3, threshold=6, issued=10, ballots=ballots)
    assert result.elected == ["甲", "乙"] and result.shortfall == 1 and result.not_passed == ["丙"]


def test_v4_write_in_counts_and_may_be_elected():
    ballots = [BallotMarks(write_in=("戊",))] * 6
    result = rules.tally(candidates=["甲"], seats=1, threshold=6, issued=6, ballots=ballots)
    assert result.votes == {"甲": 0, "戊": 6} and result.elected == ["戊"]


NAMES = ["甲", "乙", "丙", "丁", "戊"]


@st.composite
def elections(draw):
    seats = draw(st.integers(1, 4))
    ballots = draw(st.lists(st.builds(
        BallotMarks,
        yes=st.lists(st.sampled_from(NAMES), unique=True, max_size=5).map(tuple),
        write_in=st.lists(st.sampled_from(["己", "庚"]), unique=True, max_size=2).map(tuple),
    ), max_size=40))
    issued = draw(st.integers(len(ballots), len(ballots) + 5))
    due = draw(st.integers(max(1, issued), issued + 10))
    return seats, ballots, issued, due


@settings(max_examples=150, deadline=None)
@given(elections())
def test_tally_invariants(case):
    seats, ballots, issued, due = case
    t = rules.threshold(due=due)
    result = rules.tally(candidates=NAMES, seats=seats, threshold=t, issued=issued, ballots=ballots)
    assert len(result.elected) <= seats
    assert all(result.votes[n] >= t for n in result.elected)
    assert all(result.votes[n] >= t for n in result.revote)
    assert not any(result.votes[n] < t for n in result.elected)
    assert result.valid_ballots + result.void_ballots == len(ballots)
    assert len(result.elected) + result.revote_seats + result.shortfall == seats
    if result.revote:
        assert len(result.revote) > result.revote_seats > 0
        assert len({result.votes[n] for n in result.revote}) == 1
    # nobody outside the elected has more votes than someone elected
    if result.elected:
        low = min(result.votes[n] for n in result.elected)
        assert all(result.votes[n] < low for n in result.votes if n not in result.elected)
