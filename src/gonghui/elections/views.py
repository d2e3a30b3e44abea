"""Pages of elections: plans with F-rule checks, candidates, the meeting, teller entry, result, report."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.core.choices import READ_ROLES, WRITE_ROLES
from gonghui.core.errors import DomainError
from gonghui.core.exports import xlsx_response
from gonghui.core.scope import has_role_on, scope_paths
from gonghui.orgs import selectors as org_selectors
from gonghui.orgs.choices import MemberStatus
from gonghui.orgs.models import Member

from . import pdf, selectors, services
from .choices import Body, ElectionState, Method, PlanKind, ReportState, TellerRole
from .importer import read_ballots
from .models import Candidate, Election, ElectionPlan


def staff_page(view):
    """Login required, a role somewhere required, DomainError/ValidationError → a message and back."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        paths = scope_paths(request.user, READ_ROLES)
        if paths is not None and not paths:
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except (DomainError, ValidationError) as exc:
            message = exc.message if isinstance(exc, DomainError) else "；".join(exc.messages)
            if request.headers.get("HX-Request"):
                return HttpResponse(f'<div class="messages"><li class="msg-error">{_escape(message)}</li></div>', status=200)
            messages.error(request, message)
            return redirect(request.POST.get("next") or request.get_full_path())

    return wrapper


def _escape(text: str) -> str:
    from django.utils.html import escape

    return escape(text)


def _int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------- index, plans


@staff_page
def index(request: HttpRequest) -> HttpResponse:
    plans = selectors.plan_list(actor=request.user).order_by("-created_at")
    q = request.GET.get("q", "").strip()
    if q:
        plans = plans.filter(
            Q(org__name__icontains=q) | Q(org__code__iexact=q) | Q(org__name_pinyin__startswith=q.lower())
            | Q(org__name_initials__startswith=q.lower()) | Q(title__icontains=q))
    if request.GET.get("export") == "xlsx":
        rows = ([p.org.code, p.org.name, p.get_kind_display(), p.get_meeting_type_display(), p.meeting_date,
                 p.members_count, p.women_count, p.get_state_display()] for p in plans)
        return xlsx_response("选举方案.xlsx", ["组织代码", "工会", "类型", "会议形式", "会议日期", "会员", "女会员",
                                           "状态"], rows)
    page = Paginator(plans, 30).get_page(request.GET.get("page"))
    reports = selectors.report_list(actor=request.user).filter(state=ReportState.SUBMITTED)
    pending = [r for r in reports if has_role_on(request.user, r.to_org, WRITE_ROLES)]
    preparing = org_selectors.org_list(actor=request.user, roles=WRITE_ROLES).filter(
        status="preparing", type__in=("base", "joint"))
    return render(request, "elections/index.html", {"page": page, "q": q, "pending": pending,
                                                    "preparing": preparing})


@staff_page
def plan_new(request: HttpRequest) -> HttpResponse:
    org = org_selectors.org_by_code(actor=request.user, code=request.GET.get("org") or request.POST.get("org", ""))
    if request.method == "POST":
        from datetime import date

        meeting_date = request.POST.get("meeting_date") or None
        plan = services.plan_create(
            actor=request.user, org=org, kind=request.POST.get("kind", PlanKind.FOUNDING),
            title=request.POST.get("title", ""),
            meeting_date=date.fromisoformat(meeting_date) if meeting_date else None,
            employees_count=_int(request.POST.get("employees_count")),
            term_years=_int(request.POST.get("term_years"), 5) or 5,
            chair_by=request.POST.get("chair_by", "committee"),
        )
        messages.success(request, _("已建立选举筹备方案"))
        return redirect("elections:plan-detail", plan.pk)
    return render(request, "elections/plan_new.html", {"org": org, "kinds": PlanKind.choices})


def _plan_context(request, plan: ElectionPlan) -> dict[str, Any]:
    checks = selectors.plan_checks(plan=plan)
    parent = services._parent(plan.org)
    report = plan.reports.order_by("-submitted_at").first()
    return {
        "plan": plan, "checks": checks, "elections": plan.elections.all(), "bodies": Body.choices,
        "methods": Method.choices, "report": report, "parent": parent,
        "can_write": has_role_on(request.user, plan.org, WRITE_ROLES),
        "can_decide": parent is not None and has_role_on(request.user, parent, WRITE_ROLES),
        "rule_set": services.rule_set_for(plan.org),
        "has_errors": any(c.level == "error" for c in checks),
    }


@staff_page
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add_election":
            services.election_create(
                actor=request.user, org=plan.org, plan=plan, body=request.POST.get("body", ""),
                seats=_int(request.POST.get("seats"), 0) or 0, due=_int(request.POST.get("due"), 0) or 0,
                method=request.POST.get("method") or None)
            messages.success(request, _("已添加选举"))
        elif action == "submit":
            services.plan_submit(actor=request.user, plan=plan)
            messages.success(request, _("方案已报上级工会"))
        elif action in ("approve", "return"):
            services.plan_decide(actor=request.user, plan=plan, approve=action == "approve",
                                 note=request.POST.get("note", ""))
            messages.success(request, _("已批复"))
        elif action == "report":
            services.report_submit(actor=request.user, plan=plan)
            messages.success(request, _("选举结果已报上级工会"))
        return redirect("elections:plan-detail", plan.pk)
    return render(request, "elections/plan_detail.html", _plan_context(request, plan))


# ---------------------------------------------------------------- one election


def _election_context(request, election: Election, **extra) -> dict[str, Any]:
    ctx = {
        "election": election, "plan": election.plan,
        "can_write": has_role_on(request.user, election.org, WRITE_ROLES),
        "editable": election.state in services.EDITABLE_STATES,
        "result": selectors.election_result(election=election),
    }
    ctx.update(extra)
    return ctx


@staff_page
def election_detail(request: HttpRequest, pk: int) -> HttpResponse:
    election = selectors.election_get(actor=request.user, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        member = None
        if request.POST.get("member"):
            member = Member.objects.filter(pk=_int(request.POST["member"]), org=election.org).first()
        if action == "add_candidate":
            services.candidate_add(actor=request.user, election=election, name=request.POST.get("name", ""),
                                   member=member, relative_of_principal=bool(request.POST.get("relative")))
        elif action == "remove_candidate":
            candidate = election.candidates.filter(pk=_int(request.POST.get("candidate"))).first()
            if candidate:
                services.candidate_remove(actor=request.user, candidate=candidate)
        elif action == "add_teller":
            services.teller_add(actor=request.user, election=election, role=request.POST.get("role", ""),
                                name=request.POST.get("name", ""), member=member)
        elif action == "open":
            services.election_open(actor=request.user, election=election)
            messages.success(request, _("已开始投票"))
            return redirect("elections:count", election.pk)
        return redirect("elections:election-detail", election.pk)
    candidates = list(election.candidates.all())
    least = services.rules.competitive_minimum(seats=election.seats, pct=election.competitive_pct)
    members = Member.objects.filter(org=election.org, status=MemberStatus.ACTIVE).order_by("name_pinyin")
    return render(request, "elections/election_detail.html", _election_context(
        request, election, candidates=candidates, tellers=election.tellers.all(), members=members,
        least=least, roles=TellerRole.choices))


@staff_page
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    election = selectors.election_get(actor=request.user, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "scan":
            member = services.attendance_scan(actor=request.user, election=election,
                                              token=request.POST.get("token", ""))
            messages.success(request, _("{n}已签到").format(n=member.name))
        elif action == "tick":
            member = Member.objects.filter(pk=_int(request.POST.get("member")), org=election.org).first()
            if member is not None:
                services.attendance_tick(actor=request.user, election=election, member=member,
                                         present=request.POST.get("present") == "1")
            if request.headers.get("HX-Request"):
                election.refresh_from_db()
                return render(request, "elections/_quorum.html", _election_context(request, election))
        elif action == "count":
            services.attendance_count_set(actor=request.user, election=election,
                                          present=_int(request.POST.get("present"), -1))
        return redirect("elections:meeting", election.pk)
    present_ids = set(election.attendance.values_list("member_id", flat=True))
    roster = Member.objects.filter(org=election.org, status=MemberStatus.ACTIVE).order_by("name_pinyin")
    q = request.GET.get("q", "").strip()
    if q:
        roster = roster.filter(org_selectors.member_search_q(q))
    roster = Paginator(roster, 100).get_page(request.GET.get("page"))
    return render(request, "elections/meeting.html", _election_context(
        request, election, roster=roster, present_ids=present_ids, q=q))


@staff_page
def quorum(request: HttpRequest, pk: int) -> HttpResponse:
    election = selectors.election_get(actor=request.user, pk=pk)
    return render(request, "elections/_quorum.html", _election_context(request, election))


def _parse_numbers(text: str, numbered: dict[int, Candidate]) -> list[str]:
    names = []
    for token in text.replace(",", " ").replace("，", " ").replace("、", " ").split():
        n = _int(token)
        if n is None or n not in numbered:
            raise DomainError("unknown_number", _("没有编号为{t}的候选人").format(t=token))
        names.append(numbered[n].name)
    return names


@staff_page
def count(request: HttpRequest, pk: int) -> HttpResponse:
    """The tellers' keyboard-first page: one ballot per row, candidate numbers for yes/no/abstain."""
    election = selectors.election_get(actor=request.user, pk=pk)
    rnd = election.rounds.filter(counted=False).order_by("-number").first()
    numbered = {i: c for i, c in enumerate(rnd.candidates.order_by("stroke_key", "name"), start=1)} if rnd else {}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "ballot":
            ballot = {
                "yes": _parse_numbers(request.POST.get("yes", ""), numbered),
                "no": _parse_numbers(request.POST.get("no", ""), numbered),
                "abstain": _parse_numbers(request.POST.get("abstain", ""), numbered),
                "write_in": [w for w in request.POST.get("write_in", "").replace("，", " ").replace(",", " ").split()],
            }
            stored = services.ballot_add(actor=request.user, election=election, ballot=ballot)
            if request.headers.get("HX-Request"):
                election.refresh_from_db()
                return render(request, "elections/_tally.html", _election_context(
                    request, election, rnd=rnd, numbered=numbered, last_void=stored.void, saved=True))
        elif action == "issue":
            from gonghui.orgs.selectors import member_by_card_token

            member = member_by_card_token(token=request.POST.get("token", ""))
            if member is None:
                raise DomainError("bad_card", _("无法识别的会员码"))
            services.ballot_issue(actor=request.user, election=election, member=member)
            messages.success(request, _("{n}已领取选票").format(n=member.name))
        elif action == "issued":
            services.round_issued_set(actor=request.user, election=election,
                                      issued=_int(request.POST.get("issued"), -1))
        elif action == "close":
            services.round_count(actor=request.user, election=election)
            messages.success(request, _("本轮计票完成"))
            return redirect("elections:result", election.pk)
        elif action == "import":
            upload = request.FILES.get("file")
            if upload is None:
                raise DomainError("file_required", _("请选择工作簿文件"))
            ballots = read_ballots(upload, candidates=[c.name for c in numbered.values()])
            services.ballots_record(actor=request.user, election=election,
                                    issued=_int(request.POST.get("issued"), -1), ballots=ballots)
            messages.success(request, _("已导入{n}张选票并完成计票").format(n=len(ballots)))
            return redirect("elections:result", election.pk)
        return redirect("elections:count", election.pk)
    return render(request, "elections/count.html", _election_context(
        request, election, rnd=rnd, numbered=numbered))


@staff_page
def result(request: HttpRequest, pk: int) -> HttpResponse:
    election = selectors.election_get(actor=request.user, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "another":
            services.another_vote_open(actor=request.user, election=election)
            return redirect("elections:count", election.pk)
        if action == "not_fill":
            services.election_decide_not_fill(actor=request.user, election=election)
        return redirect("elections:result", election.pk)
    rounds = election.rounds.filter(counted=True).order_by("number")
    return render(request, "elections/result.html", _election_context(
        request, election, rounds=rounds,
        open_round=election.rounds.filter(counted=False).first(),
        can_another=election.state == ElectionState.COUNTED and not election.not_filled
        and len(services.elected_names(election)) < election.seats))


# ---------------------------------------------------------------- report, PDFs, terms


@staff_page
def report(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, pk=pk)
    ctx = _plan_context(request, plan)
    if request.method == "POST":
        action = request.POST.get("action")
        if action in ("approve", "return") and ctx["report"] is not None:
            services.report_decide(actor=request.user, report=ctx["report"], approve=action == "approve",
                                   note=request.POST.get("note", ""))
            messages.success(request, _("已批准，工会成立") if action == "approve" and plan.kind == PlanKind.FOUNDING
                             else _("已批复"))
        elif action == "submit":
            services.report_submit(actor=request.user, plan=plan)
            messages.success(request, _("选举结果已报上级工会"))
        return redirect("elections:report", plan.pk)
    results = [(e, selectors.election_result(election=e)) for e in plan.elections.all()]
    ctx.update({"results": results, "officers": plan.org.officers.filter(election__plan=plan)})
    return render(request, "elections/report.html", ctx)


def _rule_summary(election: Election | None, plan: ElectionPlan) -> list[str]:
    if election is None:
        return []
    return [
        _("到会：有选举权的到会人数{x}应到人数的三分之二（V1）").format(x=_("超过") if election.quorum_strict else _("达到")),
        _("当选：赞成票超过{b}的半数（V2）").format(
            b=_("应到会人数") if election.threshold_base == "due" else _("实到会人数")),
        _("差额比例：{p}%，至少多1人（V3）").format(p=(election.competitive_pct * 100).normalize()),
        _("任期：{y}年（F4）").format(y=plan.term_years),
        _("委员会人数范围：{lo}至{hi}人（F8）").format(lo=election.committee_min, hi=election.committee_max),
    ]


@staff_page
def report_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, pk=pk)
    elections = list(plan.elections.all())
    results = [(e, selectors.election_result(election=e), list(e.rounds.filter(counted=True).order_by("number")))
               for e in elections]
    content = pdf.report_pdf(plan=plan, results=results,
                             rule_summary=_rule_summary(elections[0] if elections else None, plan),
                             report=plan.reports.order_by("-submitted_at").first())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="election-report-{plan.pk}.pdf"'
    return response


@staff_page
def ballot_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    election = selectors.election_get(actor=request.user, pk=pk)
    content = pdf.ballot_pdf(election=election, round_number=_int(request.GET.get("round")))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ballot-{election.pk}.pdf"'
    return response


@staff_page
def terms(request: HttpRequest) -> HttpResponse:
    rows = selectors.terms_ending(actor=request.user)
    if request.GET.get("export") == "xlsx":
        return xlsx_response("任期届满工会.xlsx", ["组织代码", "工会", "任期届满", "剩余天数"],
                             ([r["org"].code, r["org"].name, r["term_end"], r["days_left"]] for r in rows))
    return render(request, "elections/terms.html", {"rows": rows})




@staff_page
def rule_set_edit(request: HttpRequest) -> HttpResponse:
    """The rule set of a federation subtree (or the city default for a superuser), edited by its admins."""
    import json
    from decimal import Decimal, InvalidOperation

    from gonghui.core.choices import ADMIN_ROLES

    code = request.GET.get("org") or request.POST.get("org") or ""
    org = org_selectors.org_by_code(actor=request.user, code=code) if code else None
    if org is not None and not has_role_on(request.user, org, ADMIN_ROLES):
        raise PermissionDenied
    if org is None and not request.user.is_superuser:
        raise PermissionDenied
    rule_set = services.rule_set_for(org) if org is not None else services.rule_set_for_default()
    if request.method == "POST":
        try:
            pct = Decimal(request.POST.get("competitive_pct", "5")) / 100
            years = [int(y) for y in request.POST.get("term_years", "").replace("，", ",").split(",") if y.strip()]
            sizes = json.loads(request.POST.get("committee_sizes") or "[]")
        except (InvalidOperation, ValueError, json.JSONDecodeError):
            raise DomainError("invalid", _("请检查差额比例、任期和委员会人数表的格式"))
        services.rule_set_update(
            actor=request.user, org=org, quorum_strict=bool(request.POST.get("quorum_strict")),
            threshold_base=request.POST.get("threshold_base", "due"), competitive_pct=pct, term_years=years,
            committee_sizes=sizes)
        messages.success(request, _("规则已保存；已创建的选举仍按创建时的规则计算"))
        return redirect(request.get_full_path())
    return render(request, "elections/rules.html", {
        "org": org, "rule_set": rule_set, "pct": (rule_set.competitive_pct * 100).normalize(),
        "years": ",".join(str(y) for y in rule_set.term_years),
        "sizes": json.dumps(rule_set.committee_sizes)})
