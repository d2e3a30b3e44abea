"""Writes of the elections app: plans, candidates, attendance, ballots, counting, reports, approval."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit, snapshot
from gonghui.core.choices import ADMIN_ROLES, WRITE_ROLES, Role
from gonghui.core.errors import ConflictError, DomainError, NotFound, PermissionDeniedError
from gonghui.core.scope import has_role_on
from gonghui.core.validators import normalize_text
from gonghui.orgs.choices import Gender, MemberStatus, OrgStatus
from gonghui.orgs.models import Member, Organisation

from . import rules
from .choices import (
    AttendanceVia,
    Body,
    ElectionState,
    Mark,
    MeetingType,
    Method,
    PlanKind,
    PlanState,
    ReportState,
    RoundKind,
    TellerRole,
    ThresholdBase,
)
from .models import (
    Attendance,
    Ballot,
    BallotIssue,
    BallotMark,
    Candidate,
    Election,
    ElectionPlan,
    ElectionReport,
    Officer,
    Round,
    RuleSet,
    Teller,
)

__all__ = [
    "attendance_count_set",
    "attendance_scan",
    "attendance_tick",
    "ballot_add",
    "ballot_issue",
    "ballots_record",
    "candidate_add",
    "candidate_remove",
    "election_create",
    "election_open",
    "election_decide_not_fill",
    "another_vote_open",
    "plan_create",
    "plan_decide",
    "plan_submit",
    "present_count",
    "report_decide",
    "report_submit",
    "round_count",
    "round_issued_set",
    "rule_set_for",
    "rule_set_for_default",
    "rule_set_update",
    "teller_add",
]

EDITABLE_STATES = (ElectionState.DRAFT, ElectionState.CANDIDATES)


def _require_role(actor: AbstractBaseUser, org: Organisation, roles=WRITE_ROLES) -> None:
    if not has_role_on(actor, org, roles):
        if not has_role_on(actor, org, tuple(Role)):
            raise NotFound("not_found", _("未找到"))
        raise PermissionDeniedError("permission_denied", _("您没有在该组织执行此操作的权限"))


def _lock(election: Election) -> Election:
    return Election.objects.select_for_update().select_related("org", "plan").get(pk=election.pk)


def _parent(org: Organisation) -> Organisation | None:
    return Organisation.objects.get_parent(org) if org.depth > 1 else None


# ---------------------------------------------------------------- rule sets


def rule_set_for(org: Organisation) -> RuleSet:
    """The rule set of the nearest organisation up the tree that has one, else the city default."""
    paths = [org.path[: i * Organisation.steplen] for i in range(org.depth, 0, -1)]
    found = {rs.org.path: rs for rs in RuleSet.objects.select_related("org").filter(org__path__in=paths)}
    for path in paths:
        if path in found:
            return found[path]
    return rule_set_for_default()


def rule_set_for_default() -> RuleSet:
    rule_set, _created = RuleSet.objects.get_or_create(org=None, defaults={"name": "默认选举规则"})
    return rule_set


RULE_FIELDS = ("name", "quorum_strict", "threshold_base", "competitive_pct", "term_years", "committee_sizes")


@transaction.atomic
def rule_set_update(*, actor: AbstractBaseUser, org: Organisation | None, **values: Any) -> RuleSet:
    """Edit (or create) the rule set of a federation subtree; only its administrators (or a superuser)."""
    if org is None:
        if not actor.is_superuser:
            raise PermissionDeniedError("permission_denied", _("只有系统管理员可以修改全市默认规则"))
        rule_set, _c = RuleSet.objects.select_for_update().get_or_create(org=None, defaults={"name": "默认选举规则"})
    else:
        _require_role(actor, org, ADMIN_ROLES)
        rule_set, _c = RuleSet.objects.select_for_update().get_or_create(
            org=org, defaults={"name": _("{org}选举规则").format(org=org.display_name)})
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise DomainError("invalid", _("不能修改的字段：{f}").format(f=", ".join(sorted(unknown))))
    before = snapshot(rule_set)
    for key, value in values.items():
        setattr(rule_set, key, value)
    years = rule_set.term_years
    if not isinstance(years, list) or not years or not all(isinstance(y, int) and 1 <= y <= 10 for y in years):
        raise ValidationError({"term_years": [_("任期须是1到10之间的整数列表")]})
    sizes = rule_set.committee_sizes
    if (not isinstance(sizes, list) or not sizes or not all(
            isinstance(r, list) and len(r) == 3 and (r[0] is None or isinstance(r[0], int))
            and isinstance(r[1], int) and isinstance(r[2], int) and 1 <= r[1] <= r[2] for r in sizes)
            or sizes[-1][0] is not None):
        raise ValidationError({"committee_sizes": [_("委员会人数表须为[[会员人数上限, 最少, 最多], …]，最后一行上限为null")]})
    rule_set.full_clean(validate_unique=False)
    rule_set.save()
    audit(actor=actor, action="elections.ruleset.update", org=org, target=rule_set, before=before,
          after=snapshot(rule_set))
    return rule_set


# ---------------------------------------------------------------- plans


def _membership(org: Organisation) -> tuple[int, int]:
    counts = Member.objects.filter(org=org, status=MemberStatus.ACTIVE).aggregate(
        total=Count("id"), women=Count("id", filter=Q(gender=Gender.FEMALE)))
    return counts["total"], counts["women"]


@transaction.atomic
def plan_create(
    *,
    actor: AbstractBaseUser,
    org: Organisation,
    kind: str = PlanKind.FOUNDING,
    title: str = "",
    meeting_date: dt.date | None = None,
    employees_count: int | None = None,
    term_years: int = 5,
    chair_by: str = "committee",
    delegates_count: int = 0,
    women_delegates_count: int = 0,
) -> ElectionPlan:
    """A founding or re-election plan; members and women are counted from the register, F3 decides the meeting."""
    _require_role(actor, org)
    if not org.holds_members:
        raise DomainError("not_a_base_union", _("只有基层工会或联合工会才能召开会员（代表）大会"))
    if kind == PlanKind.FOUNDING and org.status != OrgStatus.PREPARING:
        raise DomainError("not_preparing", _("只有筹备中的工会可以制定成立选举方案"))
    members, women = _membership(org)
    allowed = rule_set_for(org).term_years
    if not rules.term_valid(term_years, allowed):
        raise DomainError("term_invalid", _("任期须为{y}年").format(y="或".join(str(y) for y in allowed)))
    plan = ElectionPlan(
        org=org, kind=kind, title=normalize_text(title) or _("{org}{kind}").format(
            org=org.name, kind=_("第一次会员大会") if kind == PlanKind.FOUNDING else _("换届选举大会")),
        meeting_type=MeetingType.GENERAL if rules.meeting_type(members) == "general" else MeetingType.REPRESENTATIVE,
        meeting_date=meeting_date, members_count=members, women_count=women,
        employees_count=members if employees_count is None else employees_count,
        term_years=term_years, chair_by=chair_by, delegates_count=delegates_count,
        women_delegates_count=women_delegates_count, created_by=actor,
    )
    plan.full_clean()
    plan.save()
    audit(actor=actor, action="elections.plan.create", org=org, target=plan, after=snapshot(plan))
    return plan


@transaction.atomic
def plan_submit(*, actor: AbstractBaseUser, plan: ElectionPlan) -> ElectionPlan:
    from .selectors import plan_checks

    _require_role(actor, plan.org)
    plan = ElectionPlan.objects.select_for_update().select_related("org").get(pk=plan.pk)
    if plan.state not in (PlanState.DRAFT, PlanState.RETURNED):
        raise ConflictError("bad_state", _("方案已报送"))
    errors = [c for c in plan_checks(plan=plan) if c.level == "error"]
    if errors:
        raise DomainError(errors[0].code, errors[0].message)
    plan.state = PlanState.SUBMITTED
    plan.save(update_fields=["state"])
    audit(actor=actor, action="elections.plan.submit", org=plan.org, target=plan)
    return plan


def _require_higher(actor: AbstractBaseUser, org: Organisation) -> Organisation:
    """The parent organisation, whose staff (not the union's own) decide."""
    parent = _parent(org)
    if parent is None:
        raise DomainError("no_higher_union", _("该组织没有上级工会"))
    if not has_role_on(actor, parent, WRITE_ROLES):
        if has_role_on(actor, org, tuple(Role)):
            raise PermissionDeniedError("not_higher_union", _("须由上级工会批复，本工会不能批复自己的报告"))
        raise NotFound("not_found", _("未找到"))
    return parent


@transaction.atomic
def plan_decide(*, actor: AbstractBaseUser, plan: ElectionPlan, approve: bool, note: str = "") -> ElectionPlan:
    _require_higher(actor, plan.org)
    plan = ElectionPlan.objects.select_for_update().select_related("org").get(pk=plan.pk)
    if plan.state != PlanState.SUBMITTED:
        raise ConflictError("bad_state", _("方案不在待批状态"))
    if not approve and not normalize_text(note):
        raise DomainError("note_required", _("退回时请填写意见"))
    plan.state = PlanState.APPROVED if approve else PlanState.RETURNED
    plan.decided_by, plan.decided_at, plan.decision_note = actor, timezone.now(), normalize_text(note)
    plan.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit(actor=actor, action="elections.plan.approve" if approve else "elections.plan.return", org=plan.org,
          target=plan, after={"note": plan.decision_note})
    return plan


# ---------------------------------------------------------------- elections


@transaction.atomic
def election_create(
    *,
    actor: AbstractBaseUser,
    org: Organisation,
    body: str,
    seats: int,
    due: int,
    method: str | None = None,
    plan: ElectionPlan | None = None,
    **rule_values: Any,
) -> Election:
    """One body's election; the rule set's values are copied onto it (given values override them)."""
    _require_role(actor, org)
    if body not in Body.values:
        raise ValidationError({"body": [_("未知的选举对象：{b}").format(b=body)]})
    if method is None:
        method = Method.COMPETITIVE if body == Body.COMMITTEE else Method.EQUAL
    if plan is None:
        plan = (ElectionPlan.objects.select_for_update().filter(org=org).exclude(
            elections__state__in=(ElectionState.APPROVED, ElectionState.REPORTED)).filter(
            state__in=(PlanState.DRAFT, PlanState.SUBMITTED, PlanState.APPROVED)).first())
        if plan is None:
            members, women = _membership(org)
            kind = PlanKind.FOUNDING if org.status == OrgStatus.PREPARING else PlanKind.REELECTION
            plan = ElectionPlan.objects.create(
                org=org, kind=kind, title=_("{org}选举").format(org=org.name), members_count=members,
                women_count=women, employees_count=members, created_by=actor,
                meeting_type=MeetingType.GENERAL if rules.meeting_type(members) == "general"
                else MeetingType.REPRESENTATIVE)
    elif plan.org_id != org.pk:
        raise DomainError("plan_mismatch", _("方案不属于该工会"))
    if plan.elections.filter(body=body).exists():
        raise ConflictError("duplicate_body", _("本次会议已设置该机构的选举"))
    rule_set = rule_set_for(org)
    unknown = set(rule_values) - {"quorum_strict", "threshold_base", "competitive_pct"}
    if unknown:
        raise DomainError("invalid", _("未知的规则字段：{f}").format(f=", ".join(sorted(unknown))))
    values = {
        "quorum_strict": rule_set.quorum_strict,
        "threshold_base": rule_set.threshold_base,
        "competitive_pct": rule_set.competitive_pct,
    }
    values.update({k: v for k, v in rule_values.items() if v is not None})
    if values["threshold_base"] not in ThresholdBase.values:
        raise ValidationError({"threshold_base": [_("过半数的基数只能是应到或实到人数")]})
    values["competitive_pct"] = Decimal(str(values["competitive_pct"]))
    low, high = rules.committee_size(plan.members_count or due, rule_set.committee_sizes)
    election = Election(plan=plan, org=org, body=body, seats=seats, due=due, method=method, rule_set=rule_set,
                        committee_min=low, committee_max=high, **values)
    election.full_clean(exclude=["plan"], validate_unique=False)
    election.save()
    audit(actor=actor, action="elections.election.create", org=org, target=election, after=snapshot(election))
    return election


def _member_of(org: Organisation, member: Member | None) -> None:
    if member is not None and (member.org_id != org.pk or member.status != MemberStatus.ACTIVE):
        raise DomainError("not_a_member", _("{n}不是本工会在册会员").format(n=member.name))


@transaction.atomic
def candidate_add(
    *, actor: AbstractBaseUser, election: Election, name: str = "", member: Member | None = None,
    relative_of_principal: bool = False,
) -> Candidate:
    _require_role(actor, election.org)
    election = _lock(election)
    if election.state not in EDITABLE_STATES:
        raise ConflictError("bad_state", _("投票已开始，不能再更改候选人"))
    _member_of(election.org, member)
    name = normalize_text(name) or (member.name if member else "")
    if not name:
        raise ValidationError({"name": [_("请填写候选人姓名")]})
    if relative_of_principal and election.body in (Body.COMMITTEE, Body.CHAIR, Body.VICE_CHAIR):
        raise DomainError("relative_of_principal", _("企业主要负责人的近亲属不得作为本企业工会委员会委员人选（F6）"))
    if election.tellers.filter(Q(name=name) | Q(member=member, member__isnull=False)).exists():
        raise DomainError("teller_cannot_be_candidate", _("{n}是本次选举的监票人或计票人，不能作为候选人（V9）").format(n=name))
    if election.candidates.filter(name=name).exists():
        raise ConflictError("duplicate_candidate", _("{n}已在候选人名单中").format(n=name))
    candidate = Candidate(election=election, name=name, member=member, relative_of_principal=relative_of_principal)
    candidate.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        raise ConflictError("duplicate_candidate", _("{n}已在候选人名单中").format(n=name))
    if election.state == ElectionState.DRAFT:
        election.state = ElectionState.CANDIDATES
        election.save(update_fields=["state"])
    audit(actor=actor, action="elections.candidate.add", org=election.org, target=candidate,
          after={"election": election.pk, "name": name, "member": getattr(member, "pk", None)})
    return candidate


@transaction.atomic
def candidate_remove(*, actor: AbstractBaseUser, candidate: Candidate) -> None:
    election = _lock(candidate.election)
    _require_role(actor, election.org)
    if election.state not in EDITABLE_STATES:
        raise ConflictError("bad_state", _("投票已开始，不能再更改候选人"))
    audit(actor=actor, action="elections.candidate.remove", org=election.org, target=candidate,
          before={"name": candidate.name})
    candidate.delete()


@transaction.atomic
def teller_add(*, actor: AbstractBaseUser, election: Election, role: str, name: str = "",
               member: Member | None = None) -> Teller:
    """A scrutineer or teller; V9: never one of the election's candidates."""
    _require_role(actor, election.org)
    election = _lock(election)
    if role not in TellerRole.values:
        raise ValidationError({"role": [_("职责只能是监票人或计票人")]})
    _member_of(election.org, member)
    name = normalize_text(name) or (member.name if member else "")
    if not name:
        raise ValidationError({"name": [_("请填写姓名")]})
    if election.candidates.filter(Q(name=name) | Q(member=member, member__isnull=False)).exists():
        raise DomainError("candidate_cannot_be_teller", _("{n}是候选人，不能担任监票人或计票人（V9）").format(n=name))
    teller = Teller(election=election, name=name, member=member, role=role)
    try:
        with transaction.atomic():
            teller.save()
    except IntegrityError:
        raise ConflictError("duplicate_teller", _("{n}已是监票人或计票人").format(n=name))
    audit(actor=actor, action="elections.teller.add", org=election.org, target=teller,
          after={"election": election.pk, "name": name, "role": role})
    return teller


# ---------------------------------------------------------------- attendance


def present_count(election: Election) -> int:
    """Those present with the vote: the chair's entered count if any, else the roster's ticks and scans."""
    if election.present_count is not None:
        return election.present_count
    return election.attendance.count()


@transaction.atomic
def attendance_count_set(*, actor: AbstractBaseUser, election: Election, present: int) -> Election:
    _require_role(actor, election.org)
    election = _lock(election)
    if election.state not in EDITABLE_STATES:
        raise ConflictError("bad_state", _("投票已开始，不能再更改到会人数"))
    if present < 0 or present > election.due:
        raise DomainError("present_out_of_range", _("实到人数须在0到应到人数{d}之间").format(d=election.due))
    before = election.present_count
    election.present_count = present
    election.save(update_fields=["present_count"])
    audit(actor=actor, action="elections.attendance.count", org=election.org, target=election,
          before={"present": before}, after={"present": present})
    return election


def _mark_present(actor, election: Election, member: Member, via: str, present: bool = True) -> Attendance | None:
    election = _lock(election)
    if election.state not in EDITABLE_STATES:
        raise ConflictError("bad_state", _("投票已开始，不能再签到"))
    if member.org_id != election.org_id or member.status != MemberStatus.ACTIVE:
        raise DomainError("not_a_member", _("{n}不是本工会在册会员，不在应到名单中").format(n=member.name))
    if not present:
        Attendance.objects.filter(election=election, member=member).delete()
        audit(actor=actor, action="elections.attendance.untick", org=election.org, target=election,
              after={"member": member.pk})
        return None
    row, created = Attendance.objects.get_or_create(election=election, member=member, defaults={"via": via})
    if not created and via == AttendanceVia.SCAN:
        raise ConflictError("already_present", _("{n}已签到").format(n=member.name))
    if election.attendance.count() > election.due:
        raise DomainError("present_out_of_range", _("签到人数超过应到人数"))
    audit(actor=actor, action="elections.attendance.mark", org=election.org, target=election,
          after={"member": member.pk, "via": via})
    return row


@transaction.atomic
def attendance_scan(*, actor: AbstractBaseUser, election: Election, token: str) -> Member:
    from gonghui.orgs.selectors import member_by_card_token

    _require_role(actor, election.org)
    member = member_by_card_token(token=token)
    if member is None:
        raise DomainError("bad_card", _("无法识别的会员码"))
    _mark_present(actor, election, member, AttendanceVia.SCAN)
    return member


@transaction.atomic
def attendance_tick(*, actor: AbstractBaseUser, election: Election, member: Member, present: bool = True) -> None:
    _require_role(actor, election.org)
    _mark_present(actor, election, member, AttendanceVia.TICK, present)


# ---------------------------------------------------------------- voting


def _current_round(election: Election) -> Round | None:
    return election.rounds.filter(counted=False).order_by("-number").first()


def _new_round(election: Election, kind: str, seats: int, candidates: Iterable[Candidate]) -> Round:
    number = (election.rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    rnd = Round.objects.create(election=election, number=number, kind=kind, seats=seats)
    rnd.candidates.set(list(candidates))
    return rnd


@transaction.atomic
def election_open(*, actor: AbstractBaseUser, election: Election) -> Round:
    """Open voting: V3 (competitive), V9, V1 quorum must hold; the first round lists every candidate."""
    _require_role(actor, election.org)
    election = _lock(election)
    if election.state not in EDITABLE_STATES:
        raise ConflictError("bad_state", _("该选举已开始投票"))
    candidates = list(election.candidates.all())
    problem = rules.candidates_problem(method=election.method, seats=election.seats, candidates=len(candidates),
                                       pct=election.competitive_pct)
    if problem == "too_few_candidates":
        raise DomainError(problem, _("候选人{c}人少于应选名额{s}名").format(c=len(candidates), s=election.seats))
    if problem == "not_competitive":
        least = rules.competitive_minimum(seats=election.seats, pct=election.competitive_pct)
        raise DomainError(problem, _("差额选举：应选{s}名，候选人至少{m}名，现有{c}名（V3）").format(
            s=election.seats, m=least, c=len(candidates)))
    names = {c.name for c in candidates}
    if election.tellers.filter(name__in=names).exists():
        raise DomainError("teller_cannot_be_candidate", _("候选人不能担任监票人或计票人（V9）"))
    present = present_count(election)
    if not rules.quorum_met(present=present, due=election.due, strict=election.quorum_strict):
        raise DomainError("quorum_not_met", _("到会{p}人，不足应到{d}人的三分之二，不能进行选举（V1）").format(
            p=present, d=election.due))
    rnd = _new_round(election, RoundKind.MAIN, election.seats, candidates)
    election.state = ElectionState.OPEN
    election.save(update_fields=["state"])
    audit(actor=actor, action="elections.election.open", org=election.org, target=election,
          after={"present": present, "round": rnd.number})
    return rnd


def _open_round(election: Election) -> Round:
    if election.state != ElectionState.OPEN:
        raise ConflictError("not_open", _("该选举不在投票中"))
    rnd = _current_round(election)
    if rnd is None:
        raise ConflictError("not_open", _("没有进行中的投票轮次"))
    return rnd


@transaction.atomic
def ballot_issue(*, actor: AbstractBaseUser, election: Election, member: Member) -> BallotIssue:
    """Record on the voter list that a member received a ballot; a second one is refused by the database."""
    _require_role(actor, election.org)
    election = _lock(election)
    rnd = _open_round(election)
    if member.org_id != election.org_id:
        raise DomainError("not_a_member", _("{n}不是本工会会员").format(n=member.name))
    try:
        with transaction.atomic():
            issue = BallotIssue.objects.create(round=rnd, member=member)
    except IntegrityError:
        raise ConflictError("already_issued", _("{n}本轮已领取选票").format(n=member.name))
    rnd.issued = rnd.issues.count()
    rnd.save(update_fields=["issued"])
    audit(actor=actor, action="elections.ballot.issue", org=election.org, target=rnd, after={"member": member.pk})
    return issue


@transaction.atomic
def round_issued_set(*, actor: AbstractBaseUser, election: Election, issued: int) -> Round:
    _require_role(actor, election.org)
    election = _lock(election)
    rnd = _open_round(election)
    if issued < 0 or issued > present_count(election):
        raise DomainError("issued_out_of_range", _("发出选票数须在0到实到人数{p}之间").format(p=present_count(election)))
    rnd.issued = issued
    rnd.save(update_fields=["issued"])
    audit(actor=actor, action="elections.round.issued", org=election.org, target=rnd, after={"issued": issued})
    return rnd


def _names(values: Any) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [normalize_text(str(v)) for v in values if normalize_text(str(v))]


def _store_ballot(rnd: Round, by_name: dict[str, Candidate], ballot: dict[str, Any]) -> Ballot:
    yes, no, abstain, write_in = (_names(ballot.get(k)) for k in ("yes", "no", "abstain", "write_in"))
    seen: set[str] = set()
    for name in yes + no + abstain:
        if name not in by_name:
            raise DomainError("unknown_candidate", _("{n}不是本轮候选人（另选他人请写在另选栏）").format(n=name))
        if name in seen:
            raise DomainError("conflicting_marks", _("同一张选票对{n}有两个意见").format(n=name))
        seen.add(name)
    write_in = [w for w in dict.fromkeys(write_in) if w not in seen]
    if write_in and rnd.kind != RoundKind.MAIN:
        raise DomainError("write_in_not_allowed", _("重新投票和另行选举只能在本轮候选人中投票"))
    marks = rules.BallotMarks(yes=tuple(yes), write_in=tuple(w for w in write_in if w not in by_name))
    # A write-in of a listed candidate's name is a yes for that candidate.
    yes += [w for w in write_in if w in by_name]
    write_in = [w for w in write_in if w not in by_name]
    void = rules.ballot_void(yes=len(set(yes)), write_ins=len(marks.write_in), seats=rnd.seats)
    stored = Ballot.objects.create(round=rnd, void=void)
    rows = [BallotMark(ballot=stored, candidate=by_name[n], mark=Mark.YES) for n in dict.fromkeys(yes)]
    rows += [BallotMark(ballot=stored, candidate=by_name[n], mark=Mark.NO) for n in no]
    rows += [BallotMark(ballot=stored, candidate=by_name[n], mark=Mark.ABSTAIN) for n in abstain]
    rows += [BallotMark(ballot=stored, write_in=w[:60], mark=Mark.YES) for w in write_in]
    BallotMark.objects.bulk_create(rows)
    return stored


@transaction.atomic
def ballot_add(*, actor: AbstractBaseUser, election: Election, ballot: dict[str, Any]) -> Ballot:
    """One returned paper ballot of the current round, entered by a teller."""
    _require_role(actor, election.org)
    election = _lock(election)
    rnd = _open_round(election)
    by_name = {c.name: c for c in rnd.candidates.all()}
    stored = _store_ballot(rnd, by_name, ballot)
    audit(actor=actor, action="elections.ballot.add", org=election.org, target=rnd)
    return stored


@transaction.atomic
def ballots_record(*, actor: AbstractBaseUser, election: Election, issued: int,
                   ballots: Sequence[dict[str, Any]]) -> Round:
    """A whole round at once (API, workbook import): open if needed, record issued and ballots, count."""
    _require_role(actor, election.org)
    election = _lock(election)
    if election.state in EDITABLE_STATES:
        election_open(actor=actor, election=election)
        election = _lock(election)
    rnd = _open_round(election)
    if rnd.ballots.exists():
        raise ConflictError("round_has_ballots", _("本轮已录入选票"))
    if issued < 0 or issued > present_count(election):
        raise DomainError("issued_out_of_range", _("发出选票数须在0到实到人数{p}之间").format(p=present_count(election)))
    rnd.issued = issued
    rnd.save(update_fields=["issued"])
    by_name = {c.name: c for c in rnd.candidates.all()}
    for i, ballot in enumerate(ballots, start=1):
        if not isinstance(ballot, dict):
            raise DomainError("invalid", _("第{i}张选票格式不正确").format(i=i))
        try:
            _store_ballot(rnd, by_name, ballot)
        except DomainError as exc:
            raise DomainError(exc.code, _("第{i}张选票：{m}").format(i=i, m=exc.message))
    audit(actor=actor, action="elections.ballots.record", org=election.org, target=rnd,
          after={"issued": issued, "returned": len(ballots)})
    return round_count(actor=actor, election=election)


def round_tally(rnd: Round) -> rules.RoundResult:
    """Count a round from its stored ballots (pure rules over the database rows)."""
    election = rnd.election
    candidates = [c.name for c in rnd.candidates.order_by("stroke_key", "name", "id")]
    ballots: list[rules.BallotMarks] = []
    yes_by_ballot: dict[int, list[str]] = {}
    write_by_ballot: dict[int, list[str]] = {}
    for ballot_id, cand_name, write_in in BallotMark.objects.filter(
            ballot__round=rnd, mark=Mark.YES).values_list("ballot_id", "candidate__name", "write_in"):
        if cand_name:
            yes_by_ballot.setdefault(ballot_id, []).append(cand_name)
        else:
            write_by_ballot.setdefault(ballot_id, []).append(write_in)
    for ballot_id in rnd.ballots.values_list("id", flat=True):
        ballots.append(rules.BallotMarks(yes=tuple(yes_by_ballot.get(ballot_id, ())),
                                         write_in=tuple(write_by_ballot.get(ballot_id, ()))))
    t = rules.threshold(due=election.due, present=present_count(election), base=election.threshold_base)
    issued = rnd.issued if rnd.issued is not None else len(ballots)
    return rules.tally(candidates=candidates, seats=rnd.seats, threshold=t, issued=issued, ballots=ballots)


def _result_json(result: rules.RoundResult, issued: int, returned: int) -> dict[str, Any]:
    return {"round_valid": result.round_valid, "threshold": result.threshold, "issued": issued,
            "returned": returned, "valid_ballots": result.valid_ballots, "void_ballots": result.void_ballots,
            "votes": result.votes, "passed": result.passed, "elected": result.elected, "revote": result.revote,
            "revote_seats": result.revote_seats, "shortfall": result.shortfall, "not_passed": result.not_passed}


@transaction.atomic
def round_count(*, actor: AbstractBaseUser, election: Election) -> Round:
    """Close the current round: V5 void → the same round again; a tie → re-vote among the tied (V7)."""
    _require_role(actor, election.org)
    election = _lock(election)
    rnd = _open_round(election)
    returned = rnd.ballots.count()
    if rnd.issued is None:
        raise DomainError("issued_missing", _("请先录入发出的选票数"))
    result = round_tally(rnd)
    rnd.result = _result_json(result, rnd.issued, returned)
    rnd.counted = True
    rnd.save(update_fields=["result", "counted"])
    if not result.round_valid:
        _new_round(election, rnd.kind, rnd.seats, rnd.candidates.all())
    elif result.revote:
        _new_round(election, RoundKind.REVOTE, result.revote_seats, rnd.candidates.filter(name__in=result.revote))
    else:
        election.state = ElectionState.COUNTED
        election.save(update_fields=["state"])
    audit(actor=actor, action="elections.round.count", org=election.org, target=rnd, after=rnd.result)
    return rnd


def elected_names(election: Election) -> list[str]:
    names: list[str] = []
    for result in election.rounds.filter(counted=True).order_by("number").values_list("result", flat=True):
        if result and result.get("round_valid"):
            names += [n for n in result.get("elected", []) if n not in names]
    return names


@transaction.atomic
def another_vote_open(*, actor: AbstractBaseUser, election: Election) -> Round:
    """V8: another vote (另行选举) for the seats left, among the candidates who did not pass."""
    _require_role(actor, election.org)
    election = _lock(election)
    if election.state != ElectionState.COUNTED:
        raise ConflictError("bad_state", _("只有计票完成后才能另行选举"))
    left = election.seats - len(elected_names(election))
    if left <= 0:
        raise DomainError("no_shortfall", _("名额已选满"))
    last = election.rounds.filter(counted=True).order_by("-number").first()
    not_passed = (last.result or {}).get("not_passed", []) if last else []
    pool = election.candidates.filter(name__in=not_passed)
    if not pool.exists():
        raise DomainError("no_candidates", _("没有可以参加另行选举的候选人"))
    rnd = _new_round(election, RoundKind.ANOTHER, left, pool)
    election.state = ElectionState.OPEN
    election.not_filled = False
    election.save(update_fields=["state", "not_filled"])
    audit(actor=actor, action="elections.round.another", org=election.org, target=rnd, after={"seats": left})
    return rnd


@transaction.atomic
def election_decide_not_fill(*, actor: AbstractBaseUser, election: Election) -> Election:
    """V8: the meeting decides not to fill the seats left, allowed only within the F8 size range."""
    _require_role(actor, election.org)
    election = _lock(election)
    if election.state != ElectionState.COUNTED:
        raise ConflictError("bad_state", _("只有计票完成后才能决定缺额"))
    elected = len(elected_names(election))
    if elected >= election.seats:
        raise DomainError("no_shortfall", _("名额已选满"))
    if election.body == Body.COMMITTEE and elected < election.committee_min:
        raise DomainError("below_f8_minimum", _("当选{e}人，少于委员会人数下限{m}人，须另行选举（F8）").format(
            e=elected, m=election.committee_min))
    if elected == 0:
        raise DomainError("nobody_elected", _("无人当选，须另行选举"))
    election.not_filled = True
    election.save(update_fields=["not_filled"])
    audit(actor=actor, action="elections.election.not_fill", org=election.org, target=election,
          after={"elected": elected, "seats": election.seats})
    return election


# ---------------------------------------------------------------- report and approval


def _final(election: Election) -> bool:
    if election.state not in (ElectionState.COUNTED, ElectionState.RETURNED):
        return False
    return len(elected_names(election)) >= election.seats or election.not_filled


@transaction.atomic
def report_submit(*, actor: AbstractBaseUser, plan: ElectionPlan) -> ElectionReport:
    """Send the result report of every body elected at the meeting to the higher union (F5)."""
    _require_role(actor, plan.org)
    plan = ElectionPlan.objects.select_for_update().select_related("org").get(pk=plan.pk)
    parent = _parent(plan.org)
    if parent is None:
        raise DomainError("no_higher_union", _("该组织没有上级工会"))
    if plan.reports.exclude(state=ReportState.RETURNED).exists():
        raise ConflictError("already_reported", _("已报送上级工会"))
    elections = list(plan.elections.select_for_update())
    if not elections:
        raise DomainError("no_elections", _("本次会议没有选举"))
    pending = [e for e in elections if not _final(e)]
    if pending:
        raise DomainError("not_final", _("{b}尚未完成选举").format(b=pending[0].get_body_display()))
    report = ElectionReport.objects.create(plan=plan, to_org=parent, submitted_by=actor)
    Election.objects.filter(pk__in=[e.pk for e in elections]).update(state=ElectionState.REPORTED)
    audit(actor=actor, action="elections.report.submit", org=plan.org, target=report, after={"to": parent.code})
    return report


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def report_decide(*, actor: AbstractBaseUser, report: ElectionReport, approve: bool, note: str = "") -> ElectionReport:
    """The higher union approves or returns; approval of a founding makes the union active (F5, F4)."""
    from gonghui.orgs.services import org_update

    plan = report.plan
    _require_higher(actor, plan.org)
    report = ElectionReport.objects.select_for_update().select_related("plan__org").get(pk=report.pk)
    if report.state != ReportState.SUBMITTED:
        raise ConflictError("bad_state", _("该报告已批复"))
    note = normalize_text(note)
    if not approve and not note:
        raise DomainError("note_required", _("退回时请填写意见"))
    plan = report.plan
    report.state = ReportState.APPROVED if approve else ReportState.RETURNED
    report.decided_by, report.decided_at, report.note = actor, timezone.now(), note
    report.save(update_fields=["state", "decided_by", "decided_at", "note"])
    elections = list(plan.elections.select_related("org"))
    if not approve:
        Election.objects.filter(plan=plan).update(state=ElectionState.RETURNED)
        audit(actor=actor, action="elections.report.return", org=plan.org, target=report, after={"note": note})
        return report
    Election.objects.filter(plan=plan).update(state=ElectionState.APPROVED)
    start = plan.meeting_date or timezone.localdate()
    end = add_years(start, plan.term_years)
    for election in elections:
        by_name = {c.name: c.member for c in election.candidates.all()}
        for name in elected_names(election):
            Officer.objects.get_or_create(
                election=election, name=name,
                defaults={"org": plan.org, "body": election.body, "member": by_name.get(name),
                          "term_start": start, "term_end": end})
    if plan.kind == PlanKind.FOUNDING and plan.org.status != OrgStatus.ACTIVE:
        org_update(actor=actor, org=plan.org, status=OrgStatus.ACTIVE, founded_on=start)
    audit(actor=actor, action="elections.report.approve", org=plan.org, target=report,
          after={"term_start": start, "term_end": end})
    return report
