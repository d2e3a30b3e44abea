"""Pages of skills competitions: thin views over selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.audit import audit
from gonghui.core.choices import READ_ROLES, WRITE_ROLES, Role
from gonghui.core.errors import DomainError
from gonghui.core.exports import xlsx_response
from gonghui.core.scope import has_any_role, has_role_on
from gonghui.core.validators import normalize_text
from gonghui.orgs.models import Member
from gonghui.orgs.selectors import member_by_card_token, member_by_id_number, member_list

from . import rules, selectors, services
from .certificates import certificates_pdf_bytes
from .choices import PRIZE_LABELS, ContestantStatus, CriterionKind
from .models import Certificate, Contest

ALL_ROLES = (*READ_ROLES, Role.JUDGE)


def _contest(request, pk) -> Contest:
    if not has_any_role(request.user, ALL_ROLES) and not request.user.judging.exists():
        raise PermissionDenied
    return selectors.contest_get(actor=request.user, pk=pk)


def _is_host_reader(user, contest) -> bool:
    return has_role_on(user, contest.org, READ_ROLES)


def _host_contest(request, pk, roles=READ_ROLES) -> Contest:
    contest = _contest(request, pk)
    if not has_role_on(request.user, contest.org, roles):
        if _is_host_reader(request.user, contest):
            raise PermissionDenied
        # A judge reaches the judge page only (C6: no names before the lock).
        raise Http404
    return contest


def _error(request, exc: Exception) -> None:
    if isinstance(exc, DomainError):
        messages.error(request, exc.message)
    elif isinstance(exc, ValidationError):
        messages.error(request, "；".join(exc.messages))


def _fmt(value) -> str:
    return rules.format_total(value) if value is not None else "—"


# ---------------------------------------------------------------- list, detail, export


@login_required
def contest_list_view(request):
    if not has_any_role(request.user, ALL_ROLES) and not request.user.judging.exists():
        raise PermissionDenied
    qs = selectors.contest_list(actor=request.user).order_by("-created_at", "-id")
    q = normalize_text(request.GET.get("q", ""))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(trade__icontains=q) | Q(series__name__icontains=q))
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "contests/contest_list.html", {"page": page, "q": q, "status": status})


@login_required
def contest_export(request):
    if not has_any_role(request.user, READ_ROLES):
        raise PermissionDenied
    qs = selectors.contest_list(actor=request.user).order_by("-created_at", "-id")
    rows = ([c.name, c.trade, c.org.name, c.get_status_display(), c.held_on, c.contestants.count()] for c in qs)
    return xlsx_response("赛项列表.xlsx", ["赛项", "工种", "主办工会", "状态", "比赛日期", "选手数"], rows)


@login_required
def contest_detail(request, pk):
    contest = _contest(request, pk)
    if not _is_host_reader(request.user, contest):
        return redirect("contests:judge", pk=contest.pk)
    contestants = selectors.contestant_list(contest=contest)
    q = normalize_text(request.GET.get("q", ""))
    if q:
        contestants = contestants.filter(Q(name__icontains=q) | Q(name_pinyin__startswith=q.lower()) |
                                         Q(employer__icontains=q) | Q(blind_number=q))
    page = Paginator(contestants, 50).get_page(request.GET.get("page"))
    ctx = {
        "contest": contest, "page": page, "q": q,
        "can_write": has_role_on(request.user, contest.org, WRITE_ROLES),
        "judges": contest.judges.select_related("user", "employer_org"),
        "criteria": contest.criteria.all(), "quotas": contest.quotas.select_related("org"),
        "stats": selectors.statistics_by_unit(contest=contest),
        "prize_labels": PRIZE_LABELS,
    }
    return render(request, "contests/contest_detail.html", ctx)


@login_required
def contestant_export(request, pk):
    contest = _host_contest(request, pk)
    rows = ([c.name, c.employer, c.org.name if c.org else "", c.get_status_display(), c.blind_number,
             c.station_number, c.checked_in_at] for c in selectors.contestant_list(contest=contest))
    return xlsx_response(f"{contest.name}-选手名单.xlsx",
                         ["姓名", "工作单位", "报名单位", "审核状态", "加密号", "工位号", "检录时间"], rows,
                         text_columns=(4, 5))


@login_required
def statistics_view(request):
    if not has_any_role(request.user, READ_ROLES):
        raise PermissionDenied
    return render(request, "contests/statistics.html",
                  {"trades": selectors.statistics_by_trade(actor=request.user)})


# ---------------------------------------------------------------- registration


def _registrable_members(request, contest):
    return member_list(actor=request.user, roles=WRITE_ROLES).filter(
        org__path__startswith=contest.org.path, status="active").exclude(contest_entries__contest=contest)


@login_required
def register_view(request, pk):
    contest = _contest(request, pk)
    if not (has_role_on(request.user, contest.org, WRITE_ROLES) or
            _registrable_members(request, contest).exists() or
            member_list(actor=request.user, roles=WRITE_ROLES).exists()):
        raise Http404
    if request.method == "POST":
        ident = normalize_text(request.POST.get("member", ""))
        member = _registrable_members(request, contest).filter(pk=ident).first() if ident.isdigit() and \
            len(ident) < 12 else None
        if member is None and ident:
            member = _registrable_members(request, contest).filter(card_no=ident).first()
            if member is None and len(ident) == 18:
                try:
                    found = member_by_id_number(id_number=ident)
                except ValidationError:
                    found = None
                member = _registrable_members(request, contest).filter(pk=getattr(found, "pk", None)).first()
        if member is None:
            messages.error(request, _("找不到可报名的会员：请输入本单位会员的会员卡号或身份证号码"))
        else:
            try:
                c = services.contestant_register(actor=request.user, contest=contest, member=member,
                                                 employer=request.POST.get("employer", ""))
                messages.success(request, _("{n}已报名（{s}）").format(n=c.name, s=c.get_status_display()))
                return redirect("contests:register", pk=contest.pk)
            except (DomainError, ValidationError) as exc:
                _error(request, exc)
    trade = normalize_text(request.GET.get("trade", contest.trade))
    candidates = _registrable_members(request, contest)
    if trade:
        candidates = candidates.filter(trade=trade)
    mine = contest.contestants.filter(org__in=member_list(actor=request.user, roles=WRITE_ROLES)
                                      .values("org")).select_related("org")
    return render(request, "contests/register.html", {
        "contest": contest, "candidates": candidates[:200], "trade": trade, "mine": mine,
        "quotas": contest.quotas.select_related("org")})


@login_required
def register_import_view(request, pk):
    contest = _contest(request, pk)
    errors = []
    if request.method == "POST" and request.FILES.get("file"):
        try:
            n = services.contestants_import(actor=request.user, contest=contest, data=request.FILES["file"].read())
            messages.success(request, _("已导入{n}名选手").format(n=n))
            return redirect("contests:register", pk=contest.pk)
        except services.ImportFailed as exc:
            messages.error(request, exc.message)
            errors = exc.errors
        except DomainError as exc:
            _error(request, exc)
    return render(request, "contests/import.html", {"contest": contest, "errors": errors, "kind": "register",
                                                    "columns": "姓名、身份证号码（或会员卡号）、工作单位"})


@login_required
@require_POST
def decide_view(request, pk, cid):
    contest = _host_contest(request, pk, WRITE_ROLES)
    contestant = get_object_or_404(contest.contestants, pk=cid)
    try:
        services.contestant_decide(actor=request.user, contestant=contestant,
                                   approve=request.POST.get("decision") == "approve")
    except DomainError as exc:
        _error(request, exc)
    return redirect("contests:contest-detail", pk=contest.pk)


@login_required
@require_POST
def blind_numbers_view(request, pk):
    contest = _host_contest(request, pk, WRITE_ROLES)
    try:
        n = services.blind_numbers_assign(actor=request.user, contest=contest)
        messages.success(request, _("已为{n}名选手生成加密号").format(n=n))
    except DomainError as exc:
        _error(request, exc)
    return redirect("contests:contest-detail", pk=contest.pk)


@login_required
def check_in_view(request, pk):
    """检录: scan the member card (QR token) or type the card number → station / blind number."""
    contest = _host_contest(request, pk, WRITE_ROLES)
    found = None
    if request.method == "POST":
        code = normalize_text(request.POST.get("code", ""))
        member = None
        if code.isdigit() and len(code) == 12:
            member = Member.objects.filter(card_no=code).first()
        elif code:
            member = member_by_card_token(token=code)
        contestant = contest.contestants.filter(member=member).first() if member else None
        if contestant is None:
            messages.error(request, _("未找到该选手：会员卡无效或未报名本赛项"))
        else:
            try:
                found = services.contestant_check_in(actor=request.user, contestant=contestant)
            except DomainError as exc:
                _error(request, exc)
    checked = contest.contestants.filter(checked_in_at__isnull=False).count()
    approved = contest.contestants.filter(status=ContestantStatus.APPROVED).count()
    return render(request, "contests/check_in.html", {"contest": contest, "found": found, "checked": checked,
                                                      "approved": approved})


# ---------------------------------------------------------------- judging


@login_required
def judge_view(request, pk):
    contest = _contest(request, pk)
    sheet = selectors.judge_sheet(actor=request.user, contest=contest)
    revealed = None
    if contest.is_locked and request.GET.get("reveal"):
        services.names_reveal(actor=request.user, contest=contest, purpose="judge page")
        revealed = {c.pk: c.name for c in contest.contestants.all()}
    return render(request, "contests/judge.html", {"contest": contest, "sheet": sheet, "revealed": revealed,
                                                   "direct_parts": _direct_parts(contest)})


def _direct_parts(contest) -> list[dict]:
    with_criteria = set(contest.criteria.values_list("part", flat=True))
    return [p for p in contest.parts if p["code"] not in with_criteria and p["code"] != "theory"]


@login_required
def judge_mark_view(request, pk, cid):
    """One contestant's marks on a tablet: criteria (judgement or measurement) and direct parts."""
    contest = _contest(request, pk)
    sheet = selectors.judge_sheet(actor=request.user, contest=contest)
    row = next((r for r in sheet["rows"] if r["id"] == cid), None)
    if row is None:
        raise Http404
    contestant = contest.contestants.get(pk=cid)
    criteria = sheet["criteria"]
    direct = _direct_parts(contest)
    if request.method == "POST":
        try:
            for crit in criteria:
                raw = normalize_text(request.POST.get(f"c{crit.pk}", ""))
                if raw == "":
                    continue
                kwargs = {"deviation": raw} if crit.kind == CriterionKind.MEASUREMENT else {"mark": raw}
                services.mark_submit(actor=request.user, contest=contest, contestant=contestant, criterion=crit,
                                     **kwargs)
            for part in direct:
                raw = normalize_text(request.POST.get(f"p{part['code']}", ""))
                if raw:
                    services.score_submit(actor=request.user, contest=contest, contestant=contestant,
                                          part=part["code"], score=raw)
            seconds = normalize_text(request.POST.get("time_seconds", ""))
            if seconds:
                services.time_record(actor=request.user, contest=contest, contestant=contestant,
                                     time_seconds=seconds)
            messages.success(request, _("{b}号评分已保存").format(b=row["label"]))
            return redirect("contests:judge", pk=contest.pk)
        except (DomainError, ValidationError) as exc:
            _error(request, exc)
    existing = {s.part: s.value for s in contestant.scores.filter(criterion__isnull=True)}
    items = [{"criterion": c, "mark": m} for c, m in zip(criteria, row["marks"], strict=True)]
    return render(request, "contests/judge_mark.html", {
        "contest": contest, "row": row, "items": items, "direct": [
            {"code": p["code"], "name": p.get("name", p["code"]), "value": existing.get(p["code"])} for p in direct],
        "worldskills": contest.aggregation == "worldskills"})


@login_required
def theory_import_view(request, pk):
    contest = _host_contest(request, pk, WRITE_ROLES)
    errors = []
    if request.method == "POST" and request.FILES.get("file"):
        try:
            n = services.theory_import(actor=request.user, contest=contest, data=request.FILES["file"].read())
            messages.success(request, _("已导入{n}条理论成绩").format(n=n))
            return redirect("contests:contest-detail", pk=contest.pk)
        except services.ImportFailed as exc:
            messages.error(request, exc.message)
            errors = exc.errors
        except DomainError as exc:
            _error(request, exc)
    return render(request, "contests/import.html", {"contest": contest, "errors": errors, "kind": "theory",
                                                    "columns": "加密号、成绩"})


@login_required
@require_POST
def lock_view(request, pk):
    contest = _contest(request, pk)
    try:
        services.scores_lock(actor=request.user, contest=contest)
        messages.success(request, _("成绩已锁定"))
    except DomainError as exc:
        _error(request, exc)
    if _is_host_reader(request.user, contest):
        return redirect("contests:contest-detail", pk=contest.pk)
    return redirect("contests:judge", pk=contest.pk)


@login_required
def appeal_view(request, pk):
    contest = _contest(request, pk)
    if not _is_host_reader(request.user, contest) and not selectors.judge_sheet(
            actor=request.user, contest=contest)["is_chief"]:
        raise Http404
    if request.method == "POST":
        contestant = get_object_or_404(contest.contestants, pk=request.POST.get("contestant") or 0)
        try:
            services.score_appeal(actor=request.user, contest=contest, contestant=contestant,
                                  part=request.POST.get("part", ""), score=request.POST.get("score", ""),
                                  reason=request.POST.get("reason", ""))
            messages.success(request, _("申诉已处理，成绩已更新"))
            return redirect("contests:appeal", pk=contest.pk)
        except (DomainError, ValidationError) as exc:
            _error(request, exc)
    return render(request, "contests/appeal.html", {
        "contest": contest, "appeals": contest.appeals.select_related("contestant", "actor"),
        "contestants": contest.contestants.filter(status=ContestantStatus.APPROVED).order_by("blind_number"),
        "parts": [p for p in contest.parts if p["code"] not in set(contest.criteria.values_list("part", flat=True))]})


# ---------------------------------------------------------------- results


@login_required
@require_POST
def publish_view(request, pk):
    contest = _host_contest(request, pk, WRITE_ROLES)
    try:
        services.results_publish(actor=request.user, contest=contest,
                                 notice_days=int(request.POST.get("notice_days") or contest.notice_days))
        messages.success(request, _("结果已公布，进入公示期"))
    except (DomainError, ValidationError, ValueError) as exc:
        _error(request, exc)
    return redirect("contests:results", pk=contest.pk)


def _result_rows(contest):
    rows = selectors.contest_results(contest=contest)
    for r in rows:
        r["total_text"] = _fmt(r["total"])
        r["parts_text"] = [_fmt(r["parts"][p["code"]]) for p in contest.parts]
        r["prize_label"] = PRIZE_LABELS.get(r["prize"], "") if r["prize"] else ""
    return rows


@login_required
def results_view(request, pk):
    contest = _host_contest(request, pk)
    return render(request, "contests/results.html", {
        "contest": contest, "rows": _result_rows(contest),
        "can_write": has_role_on(request.user, contest.org, WRITE_ROLES),
        "certificates": contest.certificates.count()})


@login_required
def results_export(request, pk):
    contest = _host_contest(request, pk)
    parts = contest.parts
    headers = ["名次", "加密号", "姓名", "工作单位", *[p.get("name", p["code"]) for p in parts], "总分", "用时（秒）",
               "是否及格", "奖项", "称号", "晋级"]
    rows = ([r["rank"], r["blind_number"], r["name"], r["employer"],
             *[r["parts"][p["code"]] for p in parts], r["total"], r["time_seconds"], r["passed"],
             PRIZE_LABELS.get(r["prize"], "") if r["prize"] else "", r["title"], r["promotion"]]
            for r in selectors.contest_results(contest=contest))
    return xlsx_response(f"{contest.name}-成绩.xlsx", headers, rows, text_columns=(1,))


@login_required
@require_POST
def certificates_issue_view(request, pk):
    contest = _host_contest(request, pk, WRITE_ROLES)
    try:
        n = services.certificates_issue(actor=request.user, contest=contest)
        messages.success(request, _("已颁发{n}张证书").format(n=n))
    except DomainError as exc:
        _error(request, exc)
    return redirect("contests:results", pk=contest.pk)


@login_required
def certificates_pdf(request, pk):
    contest = _host_contest(request, pk)
    certs = Certificate.objects.filter(contest=contest).select_related("contestant__result").order_by("number")
    if not certs:
        raise Http404
    audit(actor=request.user, action="contests.certificates.download", org=contest.org, target=contest)
    response = HttpResponse(certificates_pdf_bytes(contest, certs), content_type="application/pdf")
    response["Content-Disposition"] = "inline; filename=certificates.pdf"
    return response


def notice_view(request, pk):
    """公示: the published results with the notice period — public, like a notice on the wall."""
    contest = get_object_or_404(Contest.objects.select_related("org", "series"), pk=pk, published_at__isnull=False)
    start = timezone.localtime(contest.published_at).date()
    end = start + timezone.timedelta(days=contest.notice_days)
    results = [r for r in selectors.public_results(contest=contest) if r.prize]
    for r in results:
        r.total_text = _fmt(r.total)
        r.prize_label = PRIZE_LABELS.get(r.prize, "")
    return render(request, "contests/notice.html", {"contest": contest, "results": results, "start": start,
                                                    "end": end, "open": timezone.localdate() <= end})

