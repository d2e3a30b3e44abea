"""Reads of the elections app, scoped to the actor's subtree(s); out of scope → Http404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Max, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.choices import READ_ROLES
from gonghui.core.scope import scope_filter
from gonghui.orgs.models import Organisation

from . import rules
from .choices import Body, MeetingType, Method
from .models import Election, ElectionPlan, ElectionReport, Officer
from .services import elected_names, present_count, round_tally, rule_set_for

__all__ = [
    "election_get",
    "election_list",
    "election_result",
    "plan_checks",
    "plan_get",
    "plan_list",
    "report_get",
    "report_list",
    "terms_ending",
]

User = AbstractBaseUser | AnonymousUser


def election_list(*, actor: User, roles=READ_ROLES) -> QuerySet[Election]:
    return scope_filter(Election.objects.select_related("org", "plan"), actor, roles=roles)


def election_get(*, actor: User, pk: Any) -> Election:
    try:
        return election_list(actor=actor).get(pk=int(pk))
    except (Election.DoesNotExist, ValueError, TypeError):
        raise Http404


def plan_list(*, actor: User) -> QuerySet[ElectionPlan]:
    return scope_filter(ElectionPlan.objects.select_related("org"), actor)


def plan_get(*, actor: User, pk: Any) -> ElectionPlan:
    try:
        return plan_list(actor=actor).get(pk=int(pk))
    except (ElectionPlan.DoesNotExist, ValueError, TypeError):
        raise Http404


def report_list(*, actor: User) -> QuerySet[ElectionReport]:
    """Reports of unions in the actor's subtree (those the actor reads, including those it decides)."""
    return scope_filter(ElectionReport.objects.select_related("plan__org", "to_org"), actor, path_field="plan__org__path")


def report_get(*, actor: User, pk: Any) -> ElectionReport:
    try:
        return report_list(actor=actor).get(pk=int(pk))
    except (ElectionReport.DoesNotExist, ValueError, TypeError):
        raise Http404


def election_result(*, election: Election) -> dict[str, Any]:
    """The API contract's result: the latest round (counted, else the one being entered) plus all elected."""
    present = present_count(election)
    quorum = rules.quorum_met(present=present, due=election.due, strict=election.quorum_strict)
    counted = election.rounds.filter(counted=True).order_by("-number").first()
    current = election.rounds.filter(counted=False).order_by("-number").first()
    threshold = rules.threshold(due=election.due, present=present, base=election.threshold_base)
    data: dict[str, Any]
    if current is not None and current.ballots.exists() or counted is None and current is not None:
        live = round_tally(current)
        data = {"round_valid": live.round_valid, "threshold": live.threshold, "valid_ballots": live.valid_ballots,
                "void_ballots": live.void_ballots, "votes": live.votes, "revote": [],
                "round": current.number, "round_kind": current.kind, "counted": False,
                "issued": current.issued, "returned": current.ballots.count()}
    elif counted is not None:
        r = counted.result or {}
        data = {"round_valid": r.get("round_valid", False), "threshold": r.get("threshold", threshold),
                "valid_ballots": r.get("valid_ballots", 0), "void_ballots": r.get("void_ballots", 0),
                "votes": r.get("votes", {}), "revote": r.get("revote", []), "round": counted.number,
                "round_kind": counted.kind, "counted": True, "issued": r.get("issued"), "returned": r.get("returned")}
    else:
        data = {"round_valid": True, "threshold": threshold, "valid_ballots": 0, "void_ballots": 0,
                "votes": {c.name: 0 for c in election.candidates.all()}, "revote": [], "round": 0,
                "round_kind": None, "counted": False, "issued": None, "returned": 0}
    elected = elected_names(election)
    pending_revote = bool(data["revote"]) or (current is not None and current.kind == "revote")
    shortfall = 0 if pending_revote or election.not_filled else max(0, election.seats - len(elected))
    if current is not None and current.kind == "revote" and not data["revote"]:
        data["revote"] = [c.name for c in current.candidates.all()]
    data.update({"quorum_met": quorum, "present": present, "due": election.due, "seats": election.seats,
                 "elected": elected, "shortfall": shortfall, "state": election.state,
                 "not_filled": election.not_filled})
    return data


def plan_checks(*, plan: ElectionPlan) -> list[rules.Check]:
    """F1–F9 findings for a plan, shown on its page and enforced (errors) when it is submitted."""
    checks: list[rules.Check] = []
    rule_set = rule_set_for(plan.org)
    members, women = plan.members_count, plan.women_count
    bodies = {e.body: e for e in plan.elections.all()}
    low, high = rules.committee_size(members, rule_set.committee_sizes)
    if rules.unit_body(members) == "committee":
        if Body.COMMITTEE not in bodies:
            checks.append(rules.Check("error", "committee_required", _(
                "会员{m}人，达到25人，应当建立工会委员会（F1）").format(m=members)))
    else:
        checks.append(rules.Check("warning", "small_unit", _(
            "会员{m}人，不足25人：可以单独建立委员会，也可以联合建立，或选举组织员、主席一人（F1）").format(m=members)))
    if rules.full_time_chair_required(plan.employees_count):
        checks.append(rules.Check("warning", "full_time_chair", _(
            "职工{e}人，200人以上，应配备专职工会主席（F2）").format(e=plan.employees_count)))
    if rules.meeting_type(members) == "general" and plan.meeting_type != MeetingType.GENERAL:
        checks.append(rules.Check("error", "general_meeting_required", _(
            "会员{m}人，100人以下，应召开会员大会而不是会员代表大会（F3）").format(m=members)))
    if not rules.term_valid(plan.term_years, rule_set.term_years):
        checks.append(rules.Check("error", "term_invalid", _("任期须为{y}年（F4）").format(
            y="或".join(str(y) for y in rule_set.term_years))))
    committee = bodies.get(Body.COMMITTEE)
    if committee is not None and not low <= committee.seats <= high:
        checks.append(rules.Check("error", "committee_size", _(
            "会员{m}人，委员会应为{lo}至{hi}人，方案为{s}人（F8）").format(m=members, lo=low, hi=high, s=committee.seats)))
    for election in bodies.values():
        flagged = election.candidates.filter(relative_of_principal=True).values_list("name", flat=True)
        for name in flagged:
            checks.append(rules.Check("error", "relative_of_principal", _(
                "{n}是企业主要负责人的近亲属，不得作为工会委员会委员人选（F6）").format(n=name)))
        if election.method == Method.EQUAL and election.body == Body.COMMITTEE:
            checks.append(rules.Check("error", "committee_competitive", _("工会委员会应差额选举（V3）")))
    if rules.women_committee_required(women):
        if Body.WOMEN_COMMITTEE not in bodies:
            checks.append(rules.Check("error", "women_committee_required", _(
                "女会员{w}人，10人以上，应同时建立女职工委员会（F7）").format(w=women)))
    else:
        checks.append(rules.Check("warning", "women_officer", _(
            "女会员{w}人，不足10人，设女职工委员一人（F7）").format(w=women)))
    if plan.meeting_type == MeetingType.REPRESENTATIVE and not rules.women_delegates_ok(
            women_delegates=plan.women_delegates_count, delegates=plan.delegates_count,
            women_members=women, members=members):
        checks.append(rules.Check("warning", "women_delegates", _(
            "女代表{wd}/{d}人，低于女会员在会员中的比例{w}/{m}（F9）").format(
            wd=plan.women_delegates_count, d=plan.delegates_count, w=women, m=members)))
    return checks


def terms_ending(*, actor: User, within_days: int = 183, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Unions whose committee's term ends within six months (or has ended), soonest first."""
    today = today or timezone.localdate()
    limit = today + dt.timedelta(days=within_days)
    rows = (scope_filter(Officer.objects.filter(body=Body.COMMITTEE), actor)
            .values("org").annotate(term_end=Max("term_end")).filter(term_end__lte=limit).order_by("term_end"))
    orgs = Organisation.objects.in_bulk([r["org"] for r in rows])
    return [{"org": orgs[r["org"]], "term_end": r["term_end"], "days_left": (r["term_end"] - today).days}
            for r in rows]
