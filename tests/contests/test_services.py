"""Services: registration, blind numbers, recusal, scores, lock, appeal, results, certificates."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.contests import selectors, services
from gonghui.contests.models import Contestant, JudgeAssignment, Score
from gonghui.core.errors import ConflictError, DomainError, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.testing import make_member, make_user


def register_all(contest, actor, members):
    return [services.contestant_register(actor=actor, contest=contest, member=m) for m in members]


def test_contest_rules_are_validated(tree, sy_staff):
    with pytest.raises(ValidationError) as exc:
        services.contest_create(actor=sy_staff, org=tree["SY"], name="x",
                                parts=[{"code": "theory", "weight": "0.3"}, {"code": "practical", "weight": "0.6"}])
    assert "权重之和必须等于1" in str(exc.value)
    with pytest.raises(ValidationError):
        services.contest_create(actor=sy_staff, org=tree["SY"], name="x", tie_break=["speed"])
    with pytest.raises(ValidationError):
        services.contest_create(actor=sy_staff, org=tree["SY"], name="x", prizes={"mode": "lottery"})


def test_rules_are_a_snapshot_on_the_event(contest):
    assert contest.parts == [{"code": "theory", "name": "理论", "weight": "0.3"},
                             {"code": "practical", "name": "实操", "weight": "0.7"}]
    assert contest.prize_scheme == {"mode": "count", "first": 1, "second": 1, "third": 1,
                                    "titles": {"first": "顺义工匠"}}


def test_registration_eligibility_quota_and_one_per_member(contest, tree, sy_staff, welders, hd_member, root_user):
    gas_staff = make_user("gas_staff", org=tree["SY-GAS"])
    services.quota_set(actor=sy_staff, contest=contest, org=tree["SY-GAS"], limit=1)
    c = services.contestant_register(actor=gas_staff, contest=contest, member=welders[0])
    assert c.status == "pending" and c.unit_key == "org:SY-GAS"
    with pytest.raises(ConflictError) as exc:
        services.contestant_register(actor=gas_staff, contest=contest, member=welders[1])
    assert exc.value.code == "quota_full"
    with pytest.raises(ConflictError) as exc:
        services.contestant_register(actor=sy_staff, contest=contest, member=welders[0])
    assert exc.value.code in ("already_registered", "quota_full")
    with pytest.raises(DomainError) as exc:
        services.contestant_register(actor=root_user, contest=contest, member=hd_member)
    assert exc.value.code == "not_eligible"
    services.contestant_decide(actor=sy_staff, contestant=c, approve=True)
    c.refresh_from_db()
    assert c.status == "approved"
    with pytest.raises(PermissionDeniedError):
        services.contestant_decide(actor=gas_staff, contestant=c, approve=False)


def test_deadline(contest, tree, welders):
    gas_staff = make_user("gas_staff", org=tree["SY-GAS"])
    contest.registration_deadline = timezone.now() - dt.timedelta(minutes=1)
    contest.save()
    with pytest.raises(ConflictError) as exc:
        services.contestant_register(actor=gas_staff, contest=contest, member=welders[0])
    assert exc.value.code == "deadline_passed"


def test_one_registration_per_member_is_a_db_constraint(contest, welders, sy_staff):
    services.contestant_register(actor=sy_staff, contest=contest, member=welders[0])
    dup = Contestant(contest=contest, member=welders[0], name="x")
    with pytest.raises(ValidationError):
        dup.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Contestant.objects.create(contest=contest, member=welders[0], name="x")


def test_blind_numbers_unpredictable_unique_two_layers(contest, sy_staff, welders):
    contest.blind_layers = 2
    contest.save()
    register_all(contest, sy_staff, welders)
    assert services.blind_numbers_assign(actor=sy_staff, contest=contest) == 4
    rows = list(contest.contestants.all())
    assert len({r.blind_number for r in rows}) == 4 and all(len(r.blind_number) == 6 for r in rows)
    assert sorted(r.station_number for r in rows) == ["001", "002", "003", "004"]
    contest.refresh_from_db()
    assert contest.status == "held"
    with pytest.raises(IntegrityError), transaction.atomic():
        Contestant.objects.filter(pk=rows[1].pk).update(blind_number=rows[0].blind_number)
    dup = Contestant(contest=contest, name="x", blind_number=rows[0].blind_number)
    with pytest.raises(ValidationError):
        dup.full_clean()


def test_recusal_refuses_scores_and_is_a_db_constraint(contest, sy_staff, welders, judge):
    entries = register_all(contest, sy_staff, welders)
    services.blind_numbers_assign(actor=sy_staff, contest=contest)
    a = services.judge_assign(actor=sy_staff, contest=contest, user=judge)
    assert a.unit_key == "org:SY-WATER"
    with pytest.raises(ConflictError) as exc:
        services.score_submit(actor=judge, contest=contest, contestant=entries[2], part="practical", score="80")
    assert exc.value.code == "recusal"
    services.score_submit(actor=judge, contest=contest, contestant=entries[0], part="practical", score="80")
    sheet = selectors.judge_sheet(actor=judge, contest=contest)
    assert {r["id"] for r in sheet["rows"]} == {entries[0].pk, entries[1].pk}
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(contest=contest, contestant=entries[2], part="theory", hundredths=1,
                             judge_unit="org:SY-WATER", contestant_unit="org:SY-WATER")
    bad = Score(contest=contest, contestant=entries[2], part="theory", hundredths=1,
                judge_unit="org:SY-WATER", contestant_unit="org:SY-WATER")
    with pytest.raises(ValidationError):
        bad.full_clean()


def test_recusal_by_district(tree, sy_staff, welders, root_user):
    c = services.contest_create(actor=sy_staff, org=tree["SY"], name="区赛", recusal_scope="district")
    register_all(c, sy_staff, welders)
    u = make_user("j2", role=None)
    with pytest.raises(ConflictError) as exc:
        services.judge_assign(actor=sy_staff, contest=c, user=u, employer_org=tree["SY-GAS"])
    assert exc.value.code == "recusal"  # every contestant is in the same district
    services.judge_assign(actor=sy_staff, contest=c, user=u, employer_org=tree["HD-PD"])


def test_judge_who_is_a_contestant_is_refused(contest, sy_staff, welders):
    register_all(contest, sy_staff, welders[:1])
    u = make_user("welder_judge", role=None)
    welders[0].user = u
    welders[0].save()
    with pytest.raises(ConflictError) as exc:
        services.judge_assign(actor=sy_staff, contest=contest, user=u)
    assert exc.value.code == "recusal"


def test_one_chief_and_one_assignment(contest, sy_staff, chief):
    services.judge_assign(actor=sy_staff, contest=contest, user=chief, role="chief", employer="区人社局")
    with pytest.raises(ConflictError) as exc:
        services.judge_assign(actor=sy_staff, contest=contest, user=make_user("c2", role=None), role="chief")
    assert exc.value.code == "chief_exists"
    with pytest.raises(IntegrityError), transaction.atomic():
        JudgeAssignment.objects.create(contest=contest, user=chief, role="judge")


def scored(contest, sy_staff, welders, table):
    entries = register_all(contest, sy_staff, welders)
    services.blind_numbers_assign(actor=sy_staff, contest=contest)
    for c, (theory, practical, seconds) in zip(entries, table, strict=True):
        services.score_submit(actor=sy_staff, contest=contest, contestant=c, part="theory", score=theory)
        services.score_submit(actor=sy_staff, contest=contest, contestant=c, part="practical", score=practical,
                              time_seconds=seconds)
    return entries


def test_results_lock_appeal_publish_certificates(contest, sy_staff, welders, chief):
    services.judge_assign(actor=sy_staff, contest=contest, user=chief, role="chief", employer="区人社局")
    e = scored(contest, sy_staff, welders, [("73", "83", 3000), ("90", "76", 2900), ("60", "90", 3100),
                                            ("50", "59", 3000)])
    results = selectors.contest_results(contest=contest)
    # 0.3×60+0.7×90 = 81.00; 0.3×90+0.7×76 = 80.20; 0.3×73+0.7×83 = 80.00; 0.3×50+0.7×59 = 56.30
    assert [(str(r["total"]), r["rank"]) for r in results] == [("81.00", 1), ("80.20", 2), ("80.00", 3), ("56.30", 4)]
    by = {r["contestant"]: r for r in results}
    assert by[e[0].pk]["total"] == D("80.00")
    assert [r["contestant"] for r in results] == [e[2].pk, e[1].pk, e[0].pk, e[3].pk]
    assert [r["prize"] for r in results] == ["first", "second", "third", None]
    assert results[0]["title"] == "顺义工匠"
    assert by[e[3].pk]["passed"] is False and by[e[3].pk]["passed_parts"] == {"theory": False, "practical": False}
    services.scores_lock(actor=chief, contest=contest)
    with pytest.raises(ConflictError) as exc:
        services.score_submit(actor=sy_staff, contest=contest, contestant=e[0], part="theory", score="99")
    assert exc.value.code == "locked"
    with pytest.raises(ValidationError):
        services.score_appeal(actor=chief, contest=contest, contestant=e[0], part="theory", score="99", reason=" ")
    appeal = services.score_appeal(actor=chief, contest=contest, contestant=e[0], part="theory", score="99",
                                   reason="理论试卷漏判一题")
    assert (appeal.before_hundredths, appeal.after_hundredths) == (7300, 9900)
    assert AuditEvent.objects.filter(action="contests.score.appeal").count() == 1
    services.results_publish(actor=sy_staff, contest=contest, notice_days=7)
    assert [r.contestant_id for r in contest.results.order_by("rank")][0] == e[0].pk
    assert services.certificates_issue(actor=sy_staff, contest=contest) == 3
    assert services.certificates_issue(actor=sy_staff, contest=contest) == 0


def test_require_pass_for_prize(tree, sy_staff, welders):
    c = services.contest_create(actor=sy_staff, org=tree["SY"], name="x", require_pass_for_prize=True,
                                prizes={"mode": "count", "first": 1, "second": 1})
    e = scored(c, sy_staff, welders, [("59", "100", 1), ("90", "80", 1), ("70", "70", 1), ("60", "60", 1)])
    results = selectors.contest_results(contest=c)
    assert results[0]["contestant"] == e[0].pk and results[0]["prize"] is None
    assert [r["prize"] for r in results[1:]] == ["first", "second", None]


def test_judged_criteria_worldskills_flag_blocks_lock(tree, sy_staff, welders, root_user):
    c = services.contest_create(actor=sy_staff, org=tree["SY"], name="世赛", aggregation="worldskills",
                                parts=[{"code": "practical", "weight": "1"}], tie_break=["time"])
    entries = register_all(c, sy_staff, welders[:1])
    services.blind_numbers_assign(actor=sy_staff, contest=c)
    crit = services.criterion_create(actor=sy_staff, contest=c, code="J1", name="焊缝外观", max_mark="6")
    meas = services.criterion_create(actor=sy_staff, contest=c, code="M1", name="错边量", max_mark="4",
                                     kind="measurement", tolerance="0.5", zero_at="1.5")
    judges = [make_user(f"ws{i}", role=None) for i in range(3)]
    for j, u in enumerate(judges):
        services.judge_assign(actor=sy_staff, contest=c, user=u, employer_org=tree["HD-PD"])
        services.mark_submit(actor=u, contest=c, contestant=entries[0], criterion=crit, mark=["1", "3", "3"][j])
        services.mark_submit(actor=u, contest=c, contestant=entries[0], criterion=meas, deviation="1.0")
    with pytest.raises(ValidationError):
        services.mark_submit(actor=judges[0], contest=c, contestant=entries[0], criterion=crit, mark="2.5")
    r = selectors.contest_results(contest=c)[0]
    assert r["flags"] == ["J1"]
    assert r["parts"]["practical"] == D("4.67") + D("2.00")
    with pytest.raises(ConflictError) as exc:
        services.scores_lock(actor=sy_staff, contest=c)
    assert exc.value.code == "rescore_needed"
    services.mark_submit(actor=judges[0], contest=c, contestant=entries[0], criterion=crit, mark="2")
    assert selectors.contest_results(contest=c)[0]["parts"]["practical"] == D("5.33") + D("2.00")
    services.scores_lock(actor=sy_staff, contest=c)
    with pytest.raises(ConflictError) as exc:
        services.mark_submit(actor=judges[0], contest=c, contestant=entries[0], criterion=crit, mark="3")
    assert exc.value.code == "locked"


def test_only_assigned_judges_mark(tree, sy_staff, welders):
    c = services.contest_create(actor=sy_staff, org=tree["SY"], name="x")
    e = register_all(c, sy_staff, welders[:1])
    crit = services.criterion_create(actor=sy_staff, contest=c, code="J1", name="x", max_mark="10")
    with pytest.raises(PermissionDeniedError) as exc:
        services.mark_submit(actor=sy_staff, contest=c, contestant=e[0], criterion=crit, mark="5")
    assert exc.value.code == "not_judge"
    with pytest.raises(DomainError) as exc:
        services.score_submit(actor=sy_staff, contest=c, contestant=e[0], part="practical", score="80")
    assert exc.value.code == "part_has_criteria"


def test_names_reveal_only_after_lock_and_audited(contest, sy_staff, welders):
    with pytest.raises(ConflictError):
        services.names_reveal(actor=sy_staff, contest=contest)
    contest = services.scores_lock(actor=sy_staff, contest=contest)
    services.names_reveal(actor=sy_staff, contest=contest, purpose="t")
    assert AuditEvent.objects.filter(action="contests.names.reveal").count() == 1


def test_score_bounds(contest, sy_staff, welders):
    e = register_all(contest, sy_staff, welders[:1])[0]
    for bad in ("100.01", "-1", "abc", "80.001"):
        with pytest.raises(ValidationError):
            services.score_submit(actor=sy_staff, contest=contest, contestant=e, part="theory", score=bad)
    services.score_submit(actor=sy_staff, contest=contest, contestant=e, part="theory", score="100")


def test_workbook_imports_all_or_nothing(contest, sy_staff, welders, tmp_path):
    from gonghui.core.exports import write_xlsx

    path = tmp_path / "r.xlsx"
    write_xlsx(path, ["姓名", "会员卡号", "工作单位"],
               [[welders[0].name, welders[0].card_no, "燃气"], ["不存在", "000000000000", ""]], text_columns=(1,))
    with pytest.raises(services.ImportFailed) as exc:
        services.contestants_import(actor=sy_staff, contest=contest, data=path.read_bytes())
    assert exc.value.errors == [(3, "身份证号码", "找不到该会员")]
    assert contest.contestants.count() == 0
    write_xlsx(path, ["姓名", "会员卡号", "工作单位"],
               [[m.name, m.card_no, ""] for m in welders], text_columns=(1,))
    assert services.contestants_import(actor=sy_staff, contest=contest, data=path.read_bytes()) == 4
    services.blind_numbers_assign(actor=sy_staff, contest=contest)
    rows = [[c.blind_number, "88.5"] for c in contest.contestants.all()]
    write_xlsx(path, ["加密号", "成绩"], rows + [["999999", "70"]], text_columns=(0,))
    with pytest.raises(services.ImportFailed) as exc:
        services.theory_import(actor=sy_staff, contest=contest, data=path.read_bytes())
    assert exc.value.errors[0][0] == 6
    write_xlsx(path, ["加密号", "成绩"], rows, text_columns=(0,))
    assert services.theory_import(actor=sy_staff, contest=contest, data=path.read_bytes()) == 4
    assert Score.objects.filter(contest=contest, part="theory", hundredths=8850).count() == 4


def test_card_check_in(contest, sy_staff, welders):
    e = register_all(contest, sy_staff, welders[:1])[0]
    with pytest.raises(DomainError) as exc:
        services.contestant_check_in(actor=sy_staff, contestant=e)
    assert exc.value.code == "no_blind_number"
    services.blind_numbers_assign(actor=sy_staff, contest=contest)
    assert services.contestant_check_in(actor=sy_staff, contestant=e).checked_in_at is not None


def test_make_member_helper_used(tree, root_user):
    assert make_member(org=tree["SY-GAS"], actor=root_user).org == tree["SY-GAS"]
