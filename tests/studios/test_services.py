import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gonghui.core.errors import ConflictError, DomainError, NotFound, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.testing import make_member, make_user
from gonghui.orgs.models import Member
from gonghui.studios import services
from gonghui.studios.models import StudioCheck, TopicEvent, TopicReview

pytestmark = pytest.mark.django_db


def code_of(excinfo) -> str:
    return excinfo.value.code


# ---------------------------------------------------------------- topics: the happy path


def test_full_topic_lifecycle_records_timeline_and_audit(world, make_topic):
    topic = make_topic(status="accepted", reviews=["88", "85", "90"])
    assert topic.status == "accepted"
    assert topic.approved_budget == Decimal("120000.00")
    actions = list(TopicEvent.objects.filter(topic=topic).values_list("action", "to_status"))
    assert actions == [("create", "draft"), ("submit", "submitted"), ("review", "under_review"),
                       ("review", "under_review"), ("review", "under_review"), ("approve", "approved"),
                       ("midterm", "midterm_passed"), ("accept", "accepted")]
    audit = list(AuditEvent.objects.filter(target_type="studios.topic", target_id=str(topic.pk))
                 .order_by("id").values_list("action", flat=True))
    assert audit == ["topic.create", "topic.submit", "topic.review", "topic.review", "topic.review",
                     "topic.approve", "topic.midterm", "topic.accept"]


def test_first_review_moves_submitted_to_under_review(world, make_topic):
    topic = make_topic(status="submitted")
    assert topic.status == "submitted"
    services.topic_review(actor=world["judges"][0], topic=topic, score="80", comment="好")
    topic.refresh_from_db()
    assert topic.status == "under_review"


def test_approve_with_explicit_budget(world, make_topic):
    topic = make_topic(status="submitted", reviews=["80", "80", "80"])
    topic = services.topic_approve(actor=world["sy_staff"], topic=topic, approved_budget="100000")
    assert (topic.status, topic.approved_budget) == ("approved", Decimal("100000"))


def test_fail_from_approved_and_from_midterm(world, make_topic):
    assert make_topic(status="failed", reviews=["80"] * 3).status == "failed"
    t = make_topic(status="midterm_passed", reviews=["80"] * 3, title="第二个课题")
    assert services.topic_fail(actor=world["sy_staff"], topic=t, note="验收不通过").status == "failed"


def test_reject_from_submitted_and_under_review_needs_a_reason(world, make_topic):
    t = make_topic(status="submitted")
    with pytest.raises(ValidationError):
        services.topic_reject(actor=world["sy_staff"], topic=t, note="")
    assert services.topic_reject(actor=world["sy_staff"], topic=t, note="创新性不足").status == "rejected"
    t2 = make_topic(status="submitted", reviews=["60"], title="第二个课题")
    assert services.topic_reject(actor=world["sy_staff"], topic=t2, note="分数不足").status == "rejected"


# ---------------------------------------------------------------- topics: refusals with exact codes


@pytest.mark.parametrize("status, action", [
    ("draft", "approve"), ("draft", "midterm"), ("draft", "accept"), ("draft", "fail"), ("draft", "reject"),
    ("submitted", "approve"), ("submitted", "accept"), ("submitted", "midterm"), ("submitted", "submit"),
    ("approved", "accept"), ("approved", "approve"), ("approved", "reject"), ("approved", "submit"),
    ("midterm_passed", "midterm"), ("accepted", "fail"), ("accepted", "accept"), ("failed", "accept"),
])
def test_invalid_transitions_are_refused(world, make_topic, status, action):
    topic = make_topic(status=status, reviews=["80"] * 3 if status not in ("draft", "submitted") else [])
    topic.refresh_from_db()
    before = topic.status
    actor = world["leader_user"] if action == "submit" else world["sy_staff"]
    kwargs = {} if action in ("submit", "approve") else {"note": "意见"}
    with pytest.raises(ConflictError) as exc:
        getattr(services, f"topic_{action}")(actor=actor, topic=topic, **kwargs)
    assert exc.value.code == "invalid_transition"
    assert exc.value.status == 409
    topic.refresh_from_db()
    assert topic.status == before


@pytest.mark.parametrize("status", ["draft", "approved", "rejected", "accepted"])
def test_review_refused_outside_review_states(world, make_topic, status):
    reviews = {"draft": [], "approved": ["80"] * 3, "accepted": ["80"] * 3, "rejected": []}[status]
    topic = make_topic(status="submitted" if status == "rejected" else status, reviews=reviews)
    if status == "rejected":
        services.topic_reject(actor=world["sy_staff"], topic=topic, note="不予立项")
    if status == "accepted":
        topic = make_topic(status="accepted", reviews=["80"] * 3, title="另一个课题")
    with pytest.raises(ConflictError) as exc:
        services.topic_review(actor=world["judges"][3], topic=topic, score="90")
    assert code_of(exc) == "invalid_transition"


def test_approval_needs_the_required_number_of_reviews(world, make_topic):
    topic = make_topic(status="submitted", reviews=["95", "95"])
    with pytest.raises(ConflictError) as exc:
        services.topic_approve(actor=world["sy_staff"], topic=topic)
    assert code_of(exc) == "not_enough_reviews"
    services.alliance_update(actor=world["sy_staff"], alliance=world["alliance"], required_reviews=2)
    assert services.topic_approve(actor=world["sy_staff"], topic=topic).status == "approved"


def test_approval_needs_the_average_at_the_line(world, make_topic):
    topic = make_topic(status="submitted", reviews=["75", "75", "74.97"])  # average 74.99
    with pytest.raises(ConflictError) as exc:
        services.topic_approve(actor=world["sy_staff"], topic=topic)
    assert code_of(exc) == "below_approval_line"
    services.alliance_update(actor=world["sy_staff"], alliance=world["alliance"], approval_line="74.99")
    assert services.topic_approve(actor=world["sy_staff"], topic=topic).status == "approved"


def test_exactly_at_the_line_is_approved(world, make_topic):
    topic = make_topic(status="submitted", reviews=["75", "75", "75"])
    assert services.topic_approve(actor=world["sy_staff"], topic=topic).status == "approved"


def test_reviewer_of_own_studio_is_refused(world, make_topic, root_user):
    topic = make_topic(status="submitted")
    # A judge whose login is linked to a member on the team of a studio in the topic (studio_b).
    judge = world["judges"][0]
    member_b = make_member(org=world["tree"]["SY-WATER"], name="周专家", actor=root_user)
    Member.objects.filter(pk=member_b.pk).update(user=judge)
    services.studio_member_add(actor=root_user, studio=world["studio_b"], member=member_b)
    with pytest.raises(PermissionDeniedError) as exc:
        services.topic_review(actor=judge, topic=topic, score="90")
    assert code_of(exc) == "own_studio"
    assert not TopicReview.objects.filter(topic=topic).exists()


def test_leader_reviewing_own_topic_is_refused(world, make_topic, root_user):
    topic = make_topic(status="submitted")
    from gonghui.core.models import RoleAssignment
    from gonghui.core.scope import forget_scope

    RoleAssignment.objects.create(user=world["leader_user"], org=world["tree"]["BJ"], role="judge")
    forget_scope(world["leader_user"])
    with pytest.raises(PermissionDeniedError) as exc:
        services.topic_review(actor=world["leader_user"], topic=topic, score="99")
    assert code_of(exc) == "own_studio"


def test_one_review_per_reviewer(world, make_topic):
    topic = make_topic(status="submitted", reviews=["80"])
    with pytest.raises(ConflictError) as exc:
        services.topic_review(actor=world["judges"][0], topic=topic, score="90")
    assert code_of(exc) == "already_reviewed"


@pytest.mark.parametrize("score", ["101", "-5", "abc", "80.123"])
def test_score_validated(world, make_topic, score):
    topic = make_topic(status="submitted")
    with pytest.raises(ValidationError) as exc:
        services.topic_review(actor=world["judges"][0], topic=topic, score=score)
    assert "score" in exc.value.message_dict


def test_who_may_review_and_decide(world, make_topic):
    topic = make_topic(status="submitted")
    # hd staff: no role reaching SY → the topic is not theirs (404); a viewer on SY may not review.
    with pytest.raises(PermissionDeniedError) as exc:
        services.topic_review(actor=world["hd_staff"], topic=topic, score="80")
    assert code_of(exc) == "not_reviewer"
    with pytest.raises(PermissionDeniedError) as exc:
        services.topic_review(actor=world["sy_viewer"], topic=topic, score="80")
    assert code_of(exc) == "not_reviewer"
    # staff of SY (the alliance's host) may review; judges may review but not decide.
    services.topic_review(actor=world["sy_staff"], topic=topic, score="80")
    for judge in world["judges"][:2]:
        services.topic_review(actor=judge, topic=topic, score="80")
    with pytest.raises(PermissionDeniedError) as exc:
        services.topic_approve(actor=world["judges"][3], topic=topic)
    assert code_of(exc) == "permission_denied"
    # the studio's own host-union staff (below the alliance host) may not decide either.
    with pytest.raises(PermissionDeniedError):
        services.topic_approve(actor=world["gas_staff"], topic=topic)
    with pytest.raises(PermissionDeniedError):
        services.topic_approve(actor=world["leader_user"], topic=topic)
    assert services.topic_approve(actor=world["sy_staff"], topic=topic).status == "approved"


def test_who_may_apply(world):
    kwargs = dict(studio=world["studio_a"], alliance=world["alliance"], title="课题", work_area="talent",
                  plan="计划", budget="1000")
    assert services.topic_create(actor=world["gas_staff"], **kwargs).status == "draft"
    with pytest.raises(PermissionDeniedError):
        services.topic_create(actor=world["worker_user"], **kwargs)  # a team member, not the leader
    with pytest.raises(NotFound):
        services.topic_create(actor=world["hd_staff"], **kwargs)


def test_topic_application_validation(world):
    base = dict(actor=world["leader_user"], studio=world["studio_a"], title="课题", work_area="innovation",
                plan="计划", budget="1000")
    with pytest.raises(ValidationError) as exc:
        services.topic_create(alliance=world["alliance"], team=[(world["leader_b"], world["studio_c"], "")],
                              **base)
    assert "team" in exc.value.message_dict  # studio_c is not in the alliance
    with pytest.raises(ValidationError) as exc:
        services.topic_create(alliance=world["alliance"], team=[(world["worker_a"], world["studio_b"], "")],
                              **base)
    assert "team" in exc.value.message_dict  # worker_a is not in studio_b
    with pytest.raises(ValidationError) as exc:
        services.topic_create(**{**base, "budget": "-1"})
    assert "budget" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.topic_create(**{**base, "work_area": "sports"})
    assert "work_area" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.topic_create(alliance=world["alliance"], **{**base, "studio": world["studio_c"],
                                                              "actor": world["root"]})


def test_submit_needs_a_budget_and_drafts_only_are_editable(world, make_topic):
    topic = make_topic()
    services.topic_update(actor=world["leader_user"], topic=topic, budget="0")
    with pytest.raises(ValidationError):
        services.topic_submit(actor=world["leader_user"], topic=topic)
    services.topic_update(actor=world["leader_user"], topic=topic, budget="5000", title="新名称")
    topic = services.topic_submit(actor=world["leader_user"], topic=topic)
    with pytest.raises(ConflictError) as exc:
        services.topic_update(actor=world["leader_user"], topic=topic, title="再改")
    assert code_of(exc) == "invalid_transition"


def test_midterm_and_acceptance_need_an_opinion(world, make_topic):
    topic = make_topic(status="approved", reviews=["80"] * 3)
    with pytest.raises(ValidationError):
        services.topic_midterm(actor=world["sy_staff"], topic=topic, note=" ")


# ---------------------------------------------------------------- recognition (S2)


def test_recognition_batch_steps(world):
    root, sy_staff = world["root"], world["sy_staff"]
    bj = world["tree"]["BJ"]
    from gonghui.core.models import RoleAssignment

    bj_staff = make_user("bj_staff", org=bj, role="staff")
    studio = services.studio_create(actor=root, org=world["tree"]["SY-GAS"], name="新工作室",
                                    leader=world["worker_a"], leader_honour="chief_technician", level="enterprise")
    assert studio.status == "pending"
    batch = services.batch_create(actor=bj_staff, org=bj, year=2025, level="city", title="2025年市级命名")
    app = services.application_submit(actor=world["gas_staff"], batch=batch, studio=studio, materials="材料")
    with pytest.raises(ConflictError) as exc:
        services.application_submit(actor=world["gas_staff"], batch=batch, studio=studio)
    assert code_of(exc) == "already_applied"
    # recommendation by a union strictly above SY-GAS: gas staff may not, SY staff may.
    with pytest.raises(PermissionDeniedError) as exc:
        services.application_recommend(actor=world["gas_staff"], application=app)
    assert code_of(exc) == "not_higher_union"
    with pytest.raises(ConflictError) as exc:
        services.application_review(actor=world["judges"][0], application=app, score="90")
    assert code_of(exc) == "invalid_step"
    services.application_recommend(actor=sy_staff, application=app, opinion="同意推荐")
    RoleAssignment.objects.get_or_create(user=world["judges"][0], org=bj, role="judge")
    services.application_review(actor=world["judges"][0], application=app, score="91.5")
    with pytest.raises(PermissionDeniedError):
        services.application_decide(actor=world["judges"][0], application=app, approve=True)
    services.application_decide(actor=bj_staff, application=app, approve=True, note="同意")
    batch = services.batch_publish_notice(actor=bj_staff, batch=batch, start=dt.date(2025, 12, 1), days=5)
    assert batch.notice_end == dt.date(2025, 12, 5)
    with pytest.raises(ConflictError) as exc:
        services.batch_name(actor=bj_staff, batch=batch, on=dt.date(2025, 12, 5))
    assert code_of(exc) == "notice_not_over"
    services.batch_name(actor=bj_staff, batch=batch, on=dt.date(2025, 12, 8))
    studio.refresh_from_db()
    app.refresh_from_db()
    assert (studio.status, studio.level, studio.recognized_on, app.step) == (
        "named", "city", dt.date(2025, 12, 8), "named")
    with pytest.raises(ConflictError) as exc:
        services.application_submit(actor=world["gas_staff"], batch=batch, studio=world["studio_a"])
    assert code_of(exc) == "batch_closed"


def test_notice_refused_with_undecided_applications(world):
    bj_staff = make_user("bj_staff", org=world["tree"]["BJ"], role="staff")
    batch = services.batch_create(actor=bj_staff, org=world["tree"]["BJ"], year=2025, level="city", title="批次")
    services.application_submit(actor=world["gas_staff"], batch=batch, studio=world["studio_a"])
    with pytest.raises(ConflictError) as exc:
        services.batch_publish_notice(actor=bj_staff, batch=batch, start=dt.date(2025, 12, 1))
    assert code_of(exc) == "undecided_applications"


def test_results_check_warns_then_revokes_and_is_idempotent(world):
    root = world["root"]
    a, b = world["studio_a"], world["studio_b"]
    services.achievement_create(actor=root, studio=a, kind="paper", title="论文", achieved_on=dt.date(2024, 5, 1))
    checks = services.results_check_run(actor=None, year=2024)
    assert {(c.studio_id, c.outcome) for c in checks} == {(a.pk, "ok"), (b.pk, "warned"),
                                                         (world["studio_c"].pk, "warned")}
    assert services.results_check_run(actor=None, year=2024) == []  # idempotent
    b.refresh_from_db()
    assert b.status == "warned"
    services.achievement_create(actor=root, studio=world["studio_c"], kind="award", title="奖",
                                achieved_on=dt.date(2025, 3, 1))
    services.results_check_run(actor=None, year=2025)
    outcomes = dict(StudioCheck.objects.filter(year=2025).values_list("studio_id", "outcome"))
    assert outcomes == {a.pk: "warned", b.pk: "revoked", world["studio_c"].pk: "restored"}
    b.refresh_from_db()
    assert b.status == "revoked"
    with pytest.raises(ConflictError) as exc:
        services.topic_create(actor=root, studio=b, title="x", work_area="talent", plan="p", budget="1")
    assert code_of(exc) == "studio_revoked"


def test_results_check_scoped_for_staff(world):
    with pytest.raises(PermissionDeniedError):
        services.results_check_run(actor=world["sy_staff"], year=2024)
    checks = services.results_check_run(actor=world["sy_staff"], year=2024, within=world["tree"]["SY"])
    assert {c.studio_id for c in checks} == {world["studio_a"].pk, world["studio_b"].pk}


def test_results_check_command(world, capsys):
    from django.core.management import call_command

    call_command("studio_check", year=2024)
    assert "checked 3 studios" in capsys.readouterr().out
    call_command("studio_check", year=2024)
    assert "checked 0 studios" in capsys.readouterr().out


# ---------------------------------------------------------------- alliances (S3)


def test_alliance_membership_history_and_replacement(world):
    sy_staff, alliance = world["sy_staff"], world["alliance"]
    root = world["root"]
    new = services.studio_create(actor=root, org=world["tree"]["SY-WATER"], name="增补工作室",
                                 leader=make_member(org=world["tree"]["SY-WATER"], name="钱工", actor=root),
                                 leader_honour="craftsman", level="district", recognized_on=dt.date(2024, 1, 1))
    old = alliance.memberships.get(studio=world["studio_b"])
    with pytest.raises(ValidationError):
        services.alliance_leave(actor=sy_staff, membership=old, left_on=dt.date(2025, 1, 1), decision="")
    replacement = services.alliance_replace(actor=sy_staff, membership=old, new_studio=new, on=dt.date(2025, 3, 1),
                                            decision="2025年第1次成员大会决议")
    old.refresh_from_db()
    assert old.left_on == dt.date(2025, 3, 1) and replacement.replaces_id == old.pk
    with pytest.raises(ConflictError) as exc:
        services.alliance_join(actor=sy_staff, alliance=alliance, studio=new, joined_on=dt.date(2025, 4, 1),
                               decision="重复")
    assert code_of(exc) == "already_member"
    # rejoining after leaving is a new row of history
    services.alliance_join(actor=sy_staff, alliance=alliance, studio=world["studio_b"],
                           joined_on=dt.date(2025, 5, 1), decision="重新加入")
    assert alliance.memberships.filter(studio=world["studio_b"]).count() == 2
    with pytest.raises(NotFound):
        services.alliance_join(actor=world["hd_staff"], alliance=alliance, studio=world["studio_c"],
                               joined_on=dt.date(2025, 1, 1), decision="x")


def test_lead_studio_officers_agreements_charter(world):
    sy_staff, alliance = world["sy_staff"], world["alliance"]
    with pytest.raises(ConflictError) as exc:
        services.alliance_set_lead(actor=sy_staff, alliance=alliance, studio=world["studio_c"])
    assert code_of(exc) == "not_a_member"
    services.alliance_set_lead(actor=sy_staff, alliance=alliance, studio=world["studio_a"])
    with pytest.raises(ConflictError) as exc:
        services.alliance_leave(actor=sy_staff, membership=alliance.memberships.get(studio=world["studio_a"]),
                                left_on=dt.date(2025, 1, 1), decision="退出")
    assert code_of(exc) == "lead_studio"
    services.officer_appoint(actor=sy_staff, alliance=alliance, member=world["leader_a"], title="理事长")
    with pytest.raises(ConflictError):
        services.officer_appoint(actor=sy_staff, alliance=alliance, member=world["leader_a"], title="理事长")
    with pytest.raises(ConflictError) as exc:
        services.agreement_sign(actor=sy_staff, alliance=alliance, title="协议", signed_on=dt.date(2025, 1, 1),
                                parties=[world["studio_a"], world["studio_c"]])
    assert code_of(exc) == "not_a_member"
    with pytest.raises(ValidationError):
        services.agreement_sign(actor=sy_staff, alliance=alliance, title="协议", signed_on=dt.date(2025, 1, 1),
                                parties=[world["studio_a"]])
    agreement = services.agreement_sign(actor=sy_staff, alliance=alliance, title="协议",
                                        signed_on=dt.date(2025, 1, 1), parties=[world["studio_a"], world["studio_b"]])
    assert agreement.parties.count() == 2
    v1 = services.charter_add_version(actor=sy_staff, alliance=alliance, title="章程（试行）", text="第一条",
                                      approved_by="成立大会", approved_on=dt.date(2024, 1, 1))
    v2 = services.charter_add_version(actor=sy_staff, alliance=alliance, title="章程", text="第一条 修订",
                                      approved_by="成员大会", approved_on=dt.date(2025, 1, 1))
    assert (v1.version, v2.version, v1.title) == (1, 2, "章程（试行）")
    with pytest.raises(PermissionDeniedError):
        services.charter_add_version(actor=world["sy_viewer"], alliance=alliance, title="x", text="y")


# ---------------------------------------------------------------- achievements, lectures, mentoring


def test_achievements_and_application(world):
    a = world["studio_a"]
    with pytest.raises(ValidationError):
        services.achievement_create(actor=world["leader_user"], studio=a, kind="patent", title="专利",
                                    achieved_on=dt.date(2025, 1, 1))
    item = services.achievement_create(actor=world["leader_user"], studio=a, kind="patent", title="一种焊枪",
                                       achieved_on=dt.date(2025, 1, 1), patent_number="zl 2024 1234567.8",
                                       patent_type="invention", alliance=world["alliance"], yuan_saved="1000.50")
    assert (item.patent_number, item.yuan_saved) == ("ZL20241234567.8", Decimal("1000.50"))
    row = services.achievement_apply(actor=world["gas_staff"], achievement=item, place="燃气管网抢修",
                                     applied_on=dt.date(2025, 2, 1), yuan_saved="20000", hours_saved="120.5")
    assert row.hours_saved == Decimal("120.5")
    with pytest.raises(ValidationError):
        services.achievement_create(actor=world["root"], studio=world["studio_c"], kind="paper", title="x",
                                    achieved_on=dt.date(2025, 1, 1), alliance=world["alliance"])


def test_lecture_capacity_signup_and_qr_checkin(world, root_user):
    gas = world["tree"]["SY-GAS"]
    lecture = services.lecture_create(actor=world["sy_staff"], org=world["tree"]["SY"], title="劳模工匠大讲堂",
                                      speaker="刘永涛", starts_at=dt.datetime(2025, 9, 1, 14, tzinfo=dt.UTC),
                                      venue="礼堂", capacity=2, alliance=world["alliance"])
    worker = world["worker_a"]
    services.lecture_signup(actor=world["worker_user"], lecture=lecture, member=worker)  # self sign-up
    with pytest.raises(ConflictError) as exc:
        services.lecture_signup(actor=world["worker_user"], lecture=lecture, member=worker)
    assert code_of(exc) == "already_signed_up"
    other = make_member(org=gas, name="赵六", actor=root_user)
    with pytest.raises(PermissionDeniedError):
        services.lecture_signup(actor=world["worker_user"], lecture=lecture, member=other)
    services.lecture_signup(actor=world["gas_staff"], lecture=lecture, member=other)
    third = make_member(org=gas, name="孙七", actor=root_user)
    with pytest.raises(ConflictError) as exc:
        services.lecture_signup(actor=world["gas_staff"], lecture=lecture, member=third)
    assert code_of(exc) == "lecture_full"
    signup = services.lecture_checkin(actor=world["sy_staff"], lecture=lecture, token=worker.card_token)
    assert signup.attended_at is not None
    with pytest.raises(ConflictError) as exc:
        services.lecture_checkin(actor=world["sy_staff"], lecture=lecture, token=worker.card_token)
    assert code_of(exc) == "already_checked_in"
    with pytest.raises(ConflictError) as exc:
        services.lecture_checkin(actor=world["sy_staff"], lecture=lecture, token=third.card_token)
    assert code_of(exc) == "not_signed_up"
    with pytest.raises(DomainError) as exc:
        services.lecture_checkin(actor=world["sy_staff"], lecture=lecture, token="forged")
    assert code_of(exc) == "invalid_card"


def test_mentorship_pair_notes_outcome(world):
    pair = services.mentorship_create(actor=world["leader_user"], studio=world["studio_a"],
                                      mentor=world["leader_a"], apprentice=world["worker_a"], goals="取得技师资格",
                                      started_on=dt.date(2024, 1, 1))
    with pytest.raises(ConflictError) as exc:
        services.mentorship_create(actor=world["leader_user"], studio=world["studio_a"], mentor=world["leader_a"],
                                   apprentice=world["worker_a"], goals="再来")
    assert code_of(exc) == "already_paired"
    with pytest.raises(ValidationError):
        services.mentorship_create(actor=world["leader_user"], studio=world["studio_a"], mentor=world["leader_a"],
                                   apprentice=world["leader_a"], goals="自己")
    services.mentorship_note_add(actor=world["leader_user"], mentorship=pair, text="完成第一阶段")
    pair = services.mentorship_complete(actor=world["gas_staff"], mentorship=pair, outcome="晋升技师",
                                        outcome_level="技师", ended_on=dt.date(2025, 6, 30))
    assert (pair.status, pair.outcome_level, pair.notes.count()) == ("completed", "技师", 1)
    with pytest.raises(ConflictError) as exc:
        services.mentorship_complete(actor=world["gas_staff"], mentorship=pair, outcome="x")
    assert code_of(exc) == "already_ended"
