"""Services: the workflow and every refusal, with exact codes; constraints by both paths."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gonghui.core.errors import ConflictError, DomainError, PermissionDeniedError
from gonghui.elections import services
from gonghui.elections.choices import ElectionState, ReportState, RoundKind
from gonghui.elections.models import Ballot, BallotIssue, BallotMark, Election, Officer, Round
from gonghui.elections.selectors import election_result, plan_checks, terms_ending


def _election(actor, org, *, seats=3, due=12, method="competitive", body="committee", names=(), present=None):
    election = services.election_create(actor=actor, org=org, body=body, seats=seats, due=due, method=method)
    for name in names:
        services.candidate_add(actor=actor, election=election, name=name)
    if present is not None:
        services.attendance_count_set(actor=actor, election=election, present=present)
    election.refresh_from_db()
    return election


def _ballots(*groups):
    out = []
    for count, ballot in groups:
        out += [ballot] * count
    return out


def test_rule_values_are_copied_and_later_change_does_not_rewrite(jk, root_user):
    services.rule_set_update(actor=root_user, org=None, competitive_pct=Decimal("0.2"), quorum_strict=True)
    election = _election(root_user, jk["JK-PHARMA"])
    assert election.competitive_pct == Decimal("0.2000") and election.quorum_strict is True
    services.rule_set_update(actor=root_user, org=None, competitive_pct=Decimal("0.05"), quorum_strict=False)
    election.refresh_from_db()
    assert election.competitive_pct == Decimal("0.2000") and election.quorum_strict is True


def test_rule_set_nearest_ancestor_wins_and_needs_admin(jk, root_user, jk_staff):
    services.rule_set_update(actor=root_user, org=jk["JK"], competitive_pct=Decimal("0.1"))
    assert services.rule_set_for(jk["JK-PHARMA"]).competitive_pct == Decimal("0.1")
    with pytest.raises(PermissionDeniedError) as exc:
        services.rule_set_update(actor=jk_staff, org=jk["JK"], competitive_pct=Decimal("0.3"))
    assert exc.value.code == "permission_denied"


@pytest.mark.parametrize(("seats", "candidates", "ok"), [(20, 20, False), (20, 21, True), (21, 22, False),
                                                          (21, 23, True)])
def test_v3_open_needs_enough_candidates(jk, root_user, seats, candidates, ok):
    names = [f"候选{i:02d}" for i in range(candidates)]
    election = _election(root_user, jk["JK-PHARMA"], seats=seats, due=100, names=names, present=100)
    if ok:
        rnd = services.election_open(actor=root_user, election=election)
        assert rnd.kind == RoundKind.MAIN and rnd.candidates.count() == candidates
    else:
        with pytest.raises(DomainError) as exc:
            services.election_open(actor=root_user, election=election)
        assert exc.value.code == "not_competitive"


def test_equal_election_needs_one_candidate_per_seat(jk, root_user):
    election = _election(root_user, jk["JK-PHARMA"], body="women_committee", method="equal", seats=3,
                         names=["王芳", "李娜"], present=12)
    with pytest.raises(DomainError) as exc:
        services.election_open(actor=root_user, election=election)
    assert exc.value.code == "too_few_candidates"


@pytest.mark.parametrize(("present", "ok"), [(79, False), (80, True)])
def test_v1_open_needs_two_thirds(jk, root_user, present, ok):
    election = _election(root_user, jk["JK-PHARMA"], seats=1, due=120, names=["甲", "乙"], present=present)
    if ok:
        services.election_open(actor=root_user, election=election)
    else:
        with pytest.raises(DomainError) as exc:
            services.election_open(actor=root_user, election=election)
        assert exc.value.code == "quorum_not_met"


def test_v9_candidate_and_teller_exclude_each_other(jk, root_user, pharma_members):
    election = _election(root_user, jk["JK-PHARMA"], seats=1, names=["丁一"])
    with pytest.raises(DomainError) as exc:
        services.teller_add(actor=root_user, election=election, role="teller", name="丁一")
    assert exc.value.code == "candidate_cannot_be_teller"
    services.teller_add(actor=root_user, election=election, role="scrutineer", member=pharma_members["马超"])
    with pytest.raises(DomainError) as exc:
        services.candidate_add(actor=root_user, election=election, member=pharma_members["马超"])
    assert exc.value.code == "teller_cannot_be_candidate"


def test_f6_near_relative_refused_for_committee(jk, root_user):
    election = _election(root_user, jk["JK-PHARMA"])
    with pytest.raises(DomainError) as exc:
        services.candidate_add(actor=root_user, election=election, name="钱某", relative_of_principal=True)
    assert exc.value.code == "relative_of_principal"


def test_v10_ballot_has_no_voter_and_no_time_by_schema():
    names = {f.name for f in Ballot._meta.get_fields()}
    assert names == {"id", "round", "void", "marks"}
    assert not any(f.get_internal_type() in ("DateTimeField", "DateField", "TimeField")
                   for f in Ballot._meta.concrete_fields + BallotMark._meta.concrete_fields)
    assert {f.name for f in BallotIssue._meta.concrete_fields} == {"id", "round", "member"}


def test_v10_second_ballot_to_same_voter_refused(jk, root_user, pharma_members):
    election = _election(root_user, jk["JK-PHARMA"], seats=1, names=["甲", "乙"], present=12)
    services.election_open(actor=root_user, election=election)
    member = pharma_members["王芳"]
    services.ballot_issue(actor=root_user, election=election, member=member)
    with pytest.raises(ConflictError) as exc:
        services.ballot_issue(actor=root_user, election=election, member=member)
    assert exc.value.code == "already_issued"
    rnd = Round.objects.get(election=election)
    assert rnd.issued == 1
    with pytest.raises(ValidationError):
        BallotIssue(round=rnd, member=member).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotIssue.objects.create(round=rnd, member=member)


def test_ballot_mark_constraint_both_paths(jk, root_user):
    election = _election(root_user, jk["JK-PHARMA"], seats=1, names=["甲", "乙"], present=12)
    rnd = services.election_open(actor=root_user, election=election)
    ballot = Ballot.objects.create(round=rnd)
    with pytest.raises(ValidationError):
        BallotMark(ballot=ballot, write_in="丙", mark="no").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        BallotMark.objects.create(ballot=ballot, mark="yes")


def test_election_seats_constraint_both_paths(jk, root_user):
    election = _election(root_user, jk["JK-PHARMA"])
    election.seats = 0
    with pytest.raises(ValidationError):
        election.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Election.objects.filter(pk=election.pk).update(seats=0)


def test_count_elects_those_over_threshold(jk, root_user):
    election = _election(root_user, jk["JK-PHARMA"], seats=2, due=12, names=["甲", "乙", "丙"], present=12)
    services.ballots_record(actor=root_user, election=election, issued=12, ballots=_ballots(
        (7, {"yes": ["甲", "乙"]}), (5, {"yes": ["甲", "丙"]}), ))
    election.refresh_from_db()
    result = election_result(election=election)
    # threshold 12 // 2 + 1 = 7: 乙 with 7 passes, 丙 with 5 does not
    assert result["votes"] == {"甲": 12, "乙": 7, "丙": 5} and result["threshold"] == 7
    assert result["elected"] == ["甲", "乙"] and result["shortfall"] == 0 and result["revote"] == []
    assert election.state == ElectionState.COUNTED


def test_tie_at_last_seat_revote(jk, root_user):
    election = _election(root_user, jk["JK-PHARMA"], seats=2, due=12, names=["甲", "乙", "丙"], present=12)
    services.ballots_record(actor=root_user, election=election, issued=12, ballots=_ballots(
        (6, {"yes": ["甲", "乙"]}), (6, {"yes": ["甲", "丙"]})))
    # threshold 7: 乙 and 丙 have 6 each → both below: shortfall, not a tie
    election.refresh_from_db()
    assert election_result(election=election)["shortfall"] == 1
    election2 = _election(root_user, jk["JK-PHARMA"], body="audit_committee", method="competitive", seats=2,
                          due=12, names=["甲", "乙", "丙"], present=12)
    services.ballots_record(actor=root_user, election=election2, issued=12, ballots=_ballots(
        (4, {"yes": ["甲", "乙", "丙"][:2]}), (4, {"yes": ["甲", "丙"]}), (4, {"yes": ["乙", "丙"]})))
    # 甲 8, 乙 8, 丙 8: all pass threshold 7, three tied for two seats → re-vote for 2 among all three
    election2.refresh_from_db()
    result = election_result(election=election2)
    assert result["elected"] == [] and sorted(result["revote"]) == ["丙", "乙", "甲"]
    assert election2.state == ElectionState.OPEN
    rnd = election2.rounds.get(counted=False)
    assert rnd.kind == RoundKind.REVOTE and rnd.seats == 2
    services.ballots_record(actor=root_user, election=election2, issued=12, ballots=_ballots(
        (9, {"yes": ["甲", "乙"]}), (3, {"yes": ["丙"]})))
    election2.refresh_from_db()
    result = election_result(election=election2)
    # equal votes are listed in stroke order: 乙 (1 stroke) before 甲 (5)
    assert result["elected"] == ["乙", "甲"] and result["shortfall"] == 0 and result["revote"] == []
    assert election2.state == ElectionState.COUNTED


def test_v5_void_round_is_held_again(jk, root_user):
    election = _election(root_user, jk["JK-PHARMA"], seats=1, due=12, names=["甲", "乙"], present=10)
    services.election_open(actor=root_user, election=election)
    services.round_issued_set(actor=root_user, election=election, issued=2)
    for _i in range(3):
        services.ballot_add(actor=root_user, election=election, ballot={"yes": ["甲"]})
    services.round_count(actor=root_user, election=election)
    election.refresh_from_db()
    result = election_result(election=election)
    assert result["round_valid"] is False and result["counted"] is True and result["elected"] == []
    first = election.rounds.get(number=1)
    assert first.result["round_valid"] is False and first.result["elected"] == []
    assert election.rounds.get(number=2).kind == RoundKind.MAIN and election.state == ElectionState.OPEN


def test_v6_void_ballot_and_write_in(jk, root_user):
    election = _election(root_user, jk["JK-PHARMA"], seats=1, due=12, names=["甲", "乙"], present=12)
    services.ballots_record(actor=root_user, election=election, issued=12, ballots=_ballots(
        (1, {"yes": ["甲"], "write_in": ["戊"]}), (7, {"write_in": ["戊"]}), (4, {"no": ["甲"], "abstain": ["乙"]})))
    election.refresh_from_db()
    result = election_result(election=election)
    assert (result["valid_ballots"], result["void_ballots"]) == (11, 1)
    assert result["votes"] == {"甲": 0, "乙": 0, "戊": 7} and result["elected"] == ["戊"]


def test_unknown_candidate_and_conflicting_marks_refused(jk, root_user):
    election = _election(root_user, jk["JK-PHARMA"], seats=1, names=["甲", "乙"], present=12)
    with pytest.raises(DomainError) as exc:
        services.ballots_record(actor=root_user, election=election, issued=1, ballots=[{"yes": ["丙"]}])
    assert exc.value.code == "unknown_candidate" and "第1张" in exc.value.message
    election.refresh_from_db()
    assert election.state == ElectionState.CANDIDATES  # all or nothing: the opening was rolled back too
    services.election_open(actor=root_user, election=election)
    with pytest.raises(DomainError) as exc:
        services.ballot_add(actor=root_user, election=election, ballot={"yes": ["甲"], "no": ["甲"]})
    assert exc.value.code == "conflicting_marks"


def test_v8_shortfall_another_vote_or_not_fill_within_f8(jk, root_user):
    # 15 members → F8 band ≤25: 1..1 committee; use a 3-seat body to test the minimum
    election = _election(root_user, jk["JK-PHARMA"], seats=3, due=12, names=["甲", "乙", "丙", "丁"], present=12)
    election.committee_min = 3
    election.save(update_fields=["committee_min"])
    services.ballots_record(actor=root_user, election=election, issued=12, ballots=_ballots(
        (7, {"yes": ["甲", "乙"]}), (5, {"yes": ["丙", "丁"]})))
    election.refresh_from_db()
    result = election_result(election=election)
    assert result["elected"] == ["乙", "甲"] and result["shortfall"] == 1  # 7 each: stroke order
    with pytest.raises(DomainError) as exc:
        services.election_decide_not_fill(actor=root_user, election=election)
    assert exc.value.code == "below_f8_minimum"
    rnd = services.another_vote_open(actor=root_user, election=election)
    assert rnd.kind == RoundKind.ANOTHER and rnd.seats == 1
    assert sorted(rnd.candidates.values_list("name", flat=True)) == ["丁", "丙"]
    election.refresh_from_db()
    services.ballots_record(actor=root_user, election=election, issued=12, ballots=_ballots(
        (8, {"yes": ["丙"]}), (4, {"yes": ["丁"]})))
    election.refresh_from_db()
    assert election_result(election=election)["elected"] == ["乙", "甲", "丙"]


def test_not_fill_allowed_within_f8(jk, root_user):
    election = _election(root_user, jk["JK-PHARMA"], seats=3, due=12, names=["甲", "乙", "丙", "丁"], present=12)
    election.committee_min = 2
    election.save(update_fields=["committee_min"])
    services.ballots_record(actor=root_user, election=election, issued=12, ballots=_ballots(
        (7, {"yes": ["甲", "乙"]}), (5, {"yes": ["丙", "丁"]})))
    election.refresh_from_db()
    services.election_decide_not_fill(actor=root_user, election=election)
    election.refresh_from_db()
    assert election.not_filled and election_result(election=election)["shortfall"] == 0


def test_attendance_scan_tick_and_count(jk, root_user, pharma_members):
    election = _election(root_user, jk["JK-PHARMA"], seats=1, due=15, names=["甲", "乙"])
    member = services.attendance_scan(actor=root_user, election=election, token=pharma_members["王芳"].card_token)
    assert member.name == "王芳"
    with pytest.raises(ConflictError) as exc:
        services.attendance_scan(actor=root_user, election=election, token=pharma_members["王芳"].card_token)
    assert exc.value.code == "already_present"
    with pytest.raises(DomainError) as exc:
        services.attendance_scan(actor=root_user, election=election, token="forged")
    assert exc.value.code == "bad_card"
    services.attendance_tick(actor=root_user, election=election, member=pharma_members["李娜"])
    assert services.present_count(election) == 2
    services.attendance_count_set(actor=root_user, election=election, present=10)
    election.refresh_from_db()
    assert services.present_count(election) == 10
    with pytest.raises(DomainError) as exc:
        services.attendance_count_set(actor=root_user, election=election, present=16)
    assert exc.value.code == "present_out_of_range"


@pytest.mark.parametrize(("women", "code"), [(9, "women_officer"), (10, "women_committee_required")])
def test_f7_plan_check_at_ten_women(jk, root_user, pharma_members, women, code):
    plan = services.plan_create(actor=root_user, org=jk["JK-PHARMA"])
    assert (plan.members_count, plan.women_count, plan.meeting_type) == (15, 10, "general")
    plan.women_count = women
    codes = {c.code for c in plan_checks(plan=plan)}
    assert code in codes


def test_plan_checks_f1_f3_f8(jk, root_user, pharma_members):
    plan = services.plan_create(actor=root_user, org=jk["JK-PHARMA"])
    plan.members_count = 30
    codes = {c.code: c.level for c in plan_checks(plan=plan)}
    assert codes["committee_required"] == "error"
    services.election_create(actor=root_user, org=plan.org, plan=plan, body="committee", seats=9, due=30)
    codes = {c.code: c.level for c in plan_checks(plan=plan)}
    assert "committee_required" not in codes and codes["committee_size"] == "error"  # 26–200: 3–7
    plan.meeting_type = "representative"
    assert "general_meeting_required" in {c.code for c in plan_checks(plan=plan)}


def test_plan_submit_blocked_by_errors_then_approved_by_parent(jk, root_user, pharma_members, jk_staff,
                                                               pharma_staff):
    plan = services.plan_create(actor=root_user, org=jk["JK-PHARMA"])
    with pytest.raises(DomainError) as exc:
        services.plan_submit(actor=pharma_staff, plan=plan)
    assert exc.value.code == "women_committee_required"
    services.election_create(actor=pharma_staff, org=plan.org, plan=plan, body="women_committee", seats=3, due=15)
    services.election_create(actor=pharma_staff, org=plan.org, plan=plan, body="committee", seats=1, due=15)
    services.plan_submit(actor=pharma_staff, plan=plan)
    with pytest.raises(PermissionDeniedError) as exc:
        services.plan_decide(actor=pharma_staff, plan=plan, approve=True)
    assert exc.value.code == "not_higher_union"
    assert services.plan_decide(actor=jk_staff, plan=plan, approve=True).state == "approved"


def _founding(root_user, org, staff):
    plan = services.plan_create(actor=root_user, org=org, meeting_date=dt.date(2025, 7, 1), term_years=5)
    committee = services.election_create(actor=staff, org=org, plan=plan, body="committee", seats=1, due=15)
    women = services.election_create(actor=staff, org=org, plan=plan, body="women_committee", seats=1, due=15)
    for election, names in ((committee, ["张敏", "孙伟"]), (women, ["王芳"])):
        for name in names:
            services.candidate_add(actor=staff, election=election, name=name)
        services.attendance_count_set(actor=staff, election=election, present=14)
        election.refresh_from_db()
        services.ballots_record(actor=staff, election=election, issued=14, ballots=[{"yes": [names[0]]}] * 12)
    return plan


def test_report_approval_by_higher_union_founds_the_union(jk, root_user, pharma_members, jk_staff, pharma_staff):
    org = jk["JK-PHARMA"]
    plan = _founding(root_user, org, pharma_staff)
    report = services.report_submit(actor=pharma_staff, plan=plan)
    assert report.to_org == jk["JK"]
    assert set(plan.elections.values_list("state", flat=True)) == {ElectionState.REPORTED}
    with pytest.raises(PermissionDeniedError) as exc:
        services.report_decide(actor=pharma_staff, report=report, approve=True)
    assert exc.value.code == "not_higher_union"
    with pytest.raises(DomainError) as exc:
        services.report_decide(actor=jk_staff, report=report, approve=False)
    assert exc.value.code == "note_required"
    services.report_decide(actor=jk_staff, report=report, approve=True)
    org.refresh_from_db()
    assert org.status == "active" and org.founded_on == dt.date(2025, 7, 1)
    officers = list(Officer.objects.filter(org=org).order_by("body").values_list("body", "name", "term_end"))
    assert officers == [("committee", "张敏", dt.date(2030, 7, 1)), ("women_committee", "王芳", dt.date(2030, 7, 1))]
    assert terms_ending(actor=jk_staff, today=dt.date(2030, 1, 2))[0]["org"] == org
    assert terms_ending(actor=jk_staff, today=dt.date(2029, 12, 1)) == []


def test_report_return_then_resubmit(jk, root_user, pharma_members, jk_staff, pharma_staff):
    plan = _founding(root_user, jk["JK-PHARMA"], pharma_staff)
    report = services.report_submit(actor=pharma_staff, plan=plan)
    services.report_decide(actor=jk_staff, report=report, approve=False, note="材料不全")
    assert report.__class__.objects.get(pk=report.pk).state == ReportState.RETURNED
    again = services.report_submit(actor=pharma_staff, plan=plan)
    assert again.state == ReportState.SUBMITTED
    with pytest.raises(ConflictError) as exc:
        services.report_submit(actor=pharma_staff, plan=plan)
    assert exc.value.code == "already_reported"


def test_report_refused_while_a_body_is_unfinished(jk, root_user, pharma_members, pharma_staff):
    plan = services.plan_create(actor=root_user, org=jk["JK-PHARMA"])
    services.election_create(actor=pharma_staff, org=plan.org, plan=plan, body="committee", seats=1, due=15)
    with pytest.raises(DomainError) as exc:
        services.report_submit(actor=pharma_staff, plan=plan)
    assert exc.value.code == "not_final"
