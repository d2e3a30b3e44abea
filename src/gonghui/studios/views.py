"""Pages of the studios app: thin views over the selectors and services."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gonghui.core.errors import DomainError
from gonghui.core.exports import xlsx_response
from gonghui.core.scope import has_any_role, has_role_on
from gonghui.orgs.selectors import org_by_code, org_roots

from . import rules, selectors, services
from .choices import AchievementKind, TopicStatus, WorkArea
from .filtersets import (
    AchievementFilterSet,
    AllianceFilterSet,
    LectureFilterSet,
    MentorshipFilterSet,
    StudioFilterSet,
    TopicFilterSet,
)
from .models import Alliance, Studio, StudioMember

PER_PAGE = 30


def _require_access(request) -> None:
    """Studio pages are for users with a role or studio people (a login linked to a member)."""
    if not (has_any_role(request.user) or services.actor_member(request.user) is not None):
        raise PermissionDenied


def _list_context(request, queryset, filterset_class, *, per_page: int = PER_PAGE) -> dict:
    filterset = filterset_class(request.GET or None, queryset=queryset)
    qs = filterset.qs if filterset.is_bound else queryset
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return {"filter": filterset, "page_obj": page, "objects": page.object_list,
            "querystring": urlencode(params), "total": page.paginator.count}


def _filtered(request, queryset, filterset_class):
    filterset = filterset_class(request.GET or None, queryset=queryset)
    return filterset.qs if filterset.is_bound else queryset


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


def _error_message(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


# ---------------------------------------------------------------- studios


@login_required
def studio_list_view(request):
    _require_access(request)
    ctx = _list_context(request, selectors.studio_list(actor=request.user).order_by("name_pinyin", "id"),
                        StudioFilterSet)
    return render(request, "studios/studio_list.html", ctx)


@login_required
def studio_export(request):
    _require_access(request)
    qs = _filtered(request, selectors.studio_list(actor=request.user).order_by("name_pinyin", "id"),
                   StudioFilterSet)
    headers = [_("工作室名称"), _("依托单位工会"), _("领衔人"), _("荣誉"), _("级别"), _("命名日期"), _("专业领域"),
               _("场所"), _("年度经费（元）"), _("状态")]
    rows = ([s.name, s.org.name, s.leader.name, s.leader_title or s.get_leader_honour_display(),
             s.get_level_display(), s.recognized_on, s.specialties, s.venue, s.funding, s.get_status_display()]
            for s in qs.iterator())
    return xlsx_response("studios.xlsx", headers, rows)


@login_required
def studio_detail(request, pk):
    _require_access(request)
    studio = selectors.studio_get(actor=request.user, pk=pk)
    year = _year(request)
    ctx = {
        "studio": studio,
        "team": studio.team.select_related("member").filter(left_on__isnull=True),
        "topics": selectors.topic_list(actor=request.user).filter(studio=studio),
        "achievements": studio.achievements.all()[:20],
        "mentorships": studio.mentorships.select_related("mentor", "apprentice"),
        "memberships": studio.alliance_memberships.select_related("alliance"),
        "checks": studio.checks.all(),
        "can_manage": services.can_manage_studio(request.user, studio),
        "year": year,
    }
    return render(request, "studios/studio_detail.html", ctx)


REPORT_TOPIC_HEADERS = [label for _v, label in TopicStatus.choices]


@login_required
def studio_report_view(request, pk):
    _require_access(request)
    studio = selectors.studio_get(actor=request.user, pk=pk)
    report = selectors.studio_report(studio=studio, year=_year(request))
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"studio-{studio.pk}-{report['year']}.xlsx", *_report_rows(report))
    return render(request, "studios/report.html", {"report": report, "subject": studio, "kind": "studio",
                                                   "rows_table": _report_rows(report)})


def _report_rows(report: dict):
    headers = [_("项目"), _("数值")]
    rows: list[list] = [[_("年度"), report["year"]]]
    for value, label in TopicStatus.choices:
        rows.append([_("课题·{s}").format(s=label), report["topics"][value]])
    for value, label in AchievementKind.choices:
        rows.append([_("成果·{k}").format(k=label), report["achievements"]["by_kind"][value]])
    rows += [
        [_("成果合计"), report["achievements"]["total"]],
        [_("成果转化（次）"), report["achievements"]["applications"]],
        [_("创效（元）"), report["achievements"]["yuan_saved"]],
        [_("节约工时（小时）"), report["achievements"]["hours_saved"]],
        [_("技能培训（期）"), report["talent"]["trainings"]],
        [_("培训人次"), report["talent"]["trainees"]],
        [_("培训学时"), report["talent"]["training_hours"]],
        [_("讲堂（场）"), report["talent"]["lectures"]],
        [_("讲堂签到人次"), report["talent"]["lecture_attendance"]],
        [_("名师带徒（对）"), report["talent"]["mentorships"]],
        [_("当年出师（对）"), report["talent"]["mentorships_completed"]],
    ]
    if "joint_projects" in report:
        rows.append([_("联合攻关项目"), report["joint_projects"]])
        rows.append([_("年度联合项目目标"), report["alliance"].expected_joint_projects])
    return headers, rows


# ---------------------------------------------------------------- alliances


@login_required
def alliance_list_view(request):
    _require_access(request)
    ctx = _list_context(request, selectors.alliance_list(actor=request.user).order_by("name_pinyin", "id"),
                        AllianceFilterSet)
    return render(request, "studios/alliance_list.html", ctx)


@login_required
def alliance_export(request):
    _require_access(request)
    qs = _filtered(request, selectors.alliance_list(actor=request.user).order_by("name_pinyin", "id"),
                   AllianceFilterSet)
    headers = [_("联盟名称"), _("类型"), _("牵头工会"), _("牵头工作室"), _("成立日期"), _("成员数"), _("章程版本")]
    rows = ([a.name, a.get_type_display(), a.host_org.name, a.lead_studio.name if a.lead_studio else "",
             a.founded_on, a.memberships.filter(left_on__isnull=True).count(),
             a.charters.order_by("-version").values_list("version", flat=True).first() or ""] for a in qs)
    return xlsx_response("alliances.xlsx", headers, rows)


@login_required
def alliance_detail(request, pk):
    _require_access(request)
    alliance = selectors.alliance_get(actor=request.user, pk=pk)
    ctx = {
        "alliance": alliance,
        "charters": alliance.charters.all(),
        "memberships": alliance.memberships.select_related("studio__leader", "studio__org", "replaces__studio")
        .order_by("left_on", "joined_on", "id"),
        "officers": alliance.officers.select_related("member").filter(until__isnull=True),
        "agreements": alliance.agreements.prefetch_related("parties"),
        "topics": selectors.topic_list(actor=request.user).filter(alliance=alliance),
        "year": _year(request),
        "can_manage": has_role_on(request.user, alliance.host_org),
        "today": timezone.localdate(),
    }
    if ctx["can_manage"]:
        active = alliance.memberships.filter(left_on__isnull=True).values("studio_id")
        ctx["candidates"] = (selectors.studio_list(actor=request.user).exclude(pk__in=active)
                             .exclude(status="revoked").order_by("name_pinyin"))
    return render(request, "studios/alliance_detail.html", ctx)


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationError({field: [_("请填写正确的日期")]}) from None


@login_required
@require_POST
def alliance_manage(request, pk):
    """Host-union staff record the alliance's decisions: charter versions, joining, leaving, 增补, lead."""
    _require_access(request)
    alliance = selectors.alliance_get(actor=request.user, pk=pk)
    op, post = request.POST.get("op"), request.POST
    studios = selectors.studio_list(actor=request.user)
    try:
        if op == "charter":
            charter = services.charter_add_version(
                actor=request.user, alliance=alliance, title=post.get("title", ""), text=post.get("text", ""),
                approved_by=post.get("approved_by", ""),
                approved_on=_date(post["approved_on"], "approved_on") if post.get("approved_on") else None,
                attachment=request.FILES.get("attachment"))
            messages.success(request, _("已记录章程第{v}版").format(v=charter.version))
        elif op == "join":
            studio = selectors.studio_get(actor=request.user, pk=post.get("studio"))
            services.alliance_join(actor=request.user, alliance=alliance, studio=studio,
                                   joined_on=_date(post.get("on"), "on"), decision=post.get("decision", ""))
            messages.success(request, _("{s}已加入联盟").format(s=studio.name))
        elif op in ("leave", "replace"):
            membership = alliance.memberships.filter(pk=post.get("membership")).first()
            if membership is None:
                raise Http404
            on = _date(post.get("on"), "on")
            if op == "leave":
                services.alliance_leave(actor=request.user, membership=membership, left_on=on,
                                        decision=post.get("decision", ""))
                messages.success(request, _("{s}已退出联盟").format(s=membership.studio.name))
            else:
                new = studios.filter(pk=post.get("studio") or 0).first()
                if new is None:
                    raise ValidationError({"studio": [_("请选择增补的工作室")]})
                services.alliance_replace(actor=request.user, membership=membership, new_studio=new, on=on,
                                          decision=post.get("decision", ""))
                messages.success(request, _("已增补{n}，替代{o}").format(n=new.name, o=membership.studio.name))
        elif op == "lead":
            studio = selectors.studio_get(actor=request.user, pk=post.get("studio"))
            services.alliance_set_lead(actor=request.user, alliance=alliance, studio=studio)
            messages.success(request, _("牵头工作室已设为{s}").format(s=studio.name))
        else:
            raise Http404
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_message(exc))
    return redirect("studios:alliance-detail", pk=alliance.pk)


@login_required
def alliance_report_view(request, pk):
    _require_access(request)
    alliance = selectors.alliance_get(actor=request.user, pk=pk)
    report = selectors.alliance_report(alliance=alliance, year=_year(request))
    if request.GET.get("format") == "xlsx":
        headers = [_("成员工作室"), _("课题数"), _("当年成果"), _("创效（元）"), _("培训（期）"), _("带徒（对）")]
        rows = [[r["studio"].name, r["topics"], r["achievements"], r["yuan_saved"], r["trainings"],
                 r["mentorships"]] for r in report["rows"]]
        return xlsx_response(f"alliance-{alliance.pk}-{report['year']}.xlsx", headers, rows)
    return render(request, "studios/report.html", {"report": report, "subject": alliance, "kind": "alliance",
                                                   "rows_table": _report_rows(report)})


# ---------------------------------------------------------------- topics


@login_required
def topic_list_view(request):
    _require_access(request)
    ctx = _list_context(request, selectors.topic_list(actor=request.user).order_by("-created_at", "-id"),
                        TopicFilterSet)
    ctx["manageable"] = _manageable_studios(request.user).exists()
    return render(request, "studios/topic_list.html", ctx)


@login_required
def topic_export(request):
    _require_access(request)
    qs = _filtered(request, selectors.topic_list(actor=request.user).order_by("-created_at", "-id"),
                   TopicFilterSet)
    headers = [_("课题名称"), _("工作板块"), _("牵头工作室"), _("联盟"), _("申请经费（元）"), _("批准经费（元）"),
               _("评审数"), _("平均分"), _("状态"), _("申报时间")]
    rows = ([t.title, t.get_work_area_display(), t.studio.name, t.alliance.name if t.alliance else "", t.budget,
             t.approved_budget, t.reviews.count(),
             rules.average_score(t.reviews.values_list("score", flat=True)) or "", t.get_status_display(),
             t.submitted_at] for t in qs)
    return xlsx_response("topics.xlsx", headers, rows)


def _manageable_studios(user):
    return Studio.objects.filter(pk__in=[s.pk for s in selectors.studio_list(actor=user)
                                         if services.can_manage_studio(user, s)]).exclude(status="revoked")


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class TopicForm(forms.Form):
    studio = forms.ModelChoiceField(label=gettext_lazy("牵头工作室"), queryset=Studio.objects.none())
    alliance = forms.ModelChoiceField(label=gettext_lazy("联盟"), queryset=Alliance.objects.none(), required=False)
    title = forms.CharField(label=gettext_lazy("课题名称"), max_length=200)
    work_area = forms.ChoiceField(label=gettext_lazy("工作板块"), choices=WorkArea.choices)
    plan = forms.CharField(label=gettext_lazy("研究计划"), widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=gettext_lazy("研究目标、内容、技术路线、进度安排和预期成果"))
    budget = forms.DecimalField(label=gettext_lazy("申请经费（元）"), max_digits=14, decimal_places=2, min_value=0)
    starts_on = forms.DateField(label=gettext_lazy("计划开始"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("计划结束"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.MultipleChoiceField(label=gettext_lazy("课题组成员"), required=False,
                                     widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        studios = _manageable_studios(user).order_by("name_pinyin")
        self.fields["studio"].queryset = studios
        self.fields["alliance"].queryset = Alliance.objects.filter(
            memberships__studio__in=studios, memberships__left_on__isnull=True).distinct()
        alliance_id = self.data.get("alliance") or self.initial.get("alliance")
        choices = []
        if alliance_id:
            # Only an alliance the user's studios belong to: its team members' names are listed.
            alliance = self.fields["alliance"].queryset.filter(pk=_int_or_none(alliance_id)).first()
            if alliance is not None:
                choices = _team_choices(alliance)
        self.fields["team"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("计划结束日期不能早于开始日期"))
        return data


def _team_choices(alliance: Alliance) -> list[tuple[str, str]]:
    """Leaders and team members of the alliance's member studios, as 'member:studio'."""
    choices = []
    for m in alliance.memberships.filter(left_on__isnull=True).select_related("studio__leader"):
        studio = m.studio
        choices.append((f"{studio.leader_id}:{studio.pk}", f"{studio.leader.name}（{studio.name}·{_('领衔人')}）"))
        for row in StudioMember.objects.filter(studio=studio, left_on__isnull=True).select_related("member"):
            choices.append((f"{row.member_id}:{studio.pk}", f"{row.member.name}（{studio.name}）"))
    return choices


@login_required
def topic_create_view(request):
    _require_access(request)
    initial = {}
    studios = _manageable_studios(request.user)
    if not studios.exists():
        raise PermissionDenied
    first = studios.order_by("name_pinyin").first()
    initial["studio"] = request.GET.get("studio") or first.pk
    membership = first.alliance_memberships.filter(left_on__isnull=True).first()
    initial["alliance"] = request.GET.get("alliance") or (membership.alliance_id if membership else None)
    form = TopicForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        from gonghui.orgs.models import Member

        team = []
        for value in d["team"]:
            member_id, studio_id = value.split(":")
            team.append((Member.objects.get(pk=member_id), Studio.objects.get(pk=studio_id), ""))
        try:
            topic = services.topic_create(
                actor=request.user, studio=d["studio"], alliance=d["alliance"], title=d["title"],
                work_area=d["work_area"], plan=d["plan"], budget=d["budget"], starts_on=d["starts_on"],
                ends_on=d["ends_on"], team=team)
            if "submit" in request.POST:
                services.topic_submit(actor=request.user, topic=topic)
                messages.success(request, _("课题《{t}》已申报，等待评审").format(t=topic.title))
            else:
                messages.success(request, _("课题《{t}》已保存为草稿").format(t=topic.title))
            return redirect("studios:topic-detail", pk=topic.pk)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(request, "studios/topic_form.html", {"form": form})


TOPIC_DECISIONS = ("submit", "approve", "reject", "midterm", "accept", "fail")


@login_required
def topic_detail(request, pk):
    _require_access(request)
    topic = selectors.topic_get(actor=request.user, pk=pk)
    user = request.user
    can_decide = services.can_decide_topic(user, topic)
    own = bool(services.actor_studio_ids(user) & services.topic_studio_ids(topic))
    reviews = list(topic.reviews.select_related("reviewer"))
    actions = []
    if services.can_manage_studio(user, topic.studio) and rules.topic_next_status("submit", topic.status):
        actions.append("submit")
    if can_decide:
        actions += [a for a in ("approve", "reject", "midterm", "accept", "fail")
                    if rules.topic_next_status(a, topic.status)]
    can_review = (services.can_review_topic(user, topic) and not own
                  and rules.topic_next_status("review", topic.status) is not None
                  and not any(r.reviewer_id == user.pk for r in reviews))
    required = topic.alliance.required_reviews if topic.alliance else 3
    line = topic.alliance.approval_line if topic.alliance else 75
    ctx = {
        "topic": topic, "team": topic.team.select_related("member", "studio"),
        "events": topic.events.select_related("actor"), "reviews": reviews,
        "show_scores": can_decide or services.can_review_topic(user, topic) or has_role_on(
            user, topic.studio.org),
        "average": rules.average_score(r.score for r in reviews), "required": required, "line": line,
        "actions": actions, "can_review": can_review,
        "action_labels": services.ACTION_LABELS,
        "achievements": topic.achievements.all(),
    }
    return render(request, "studios/topic_detail.html", ctx)


@login_required
@require_POST
def topic_action_view(request, pk, action):
    _require_access(request)
    if action not in TOPIC_DECISIONS:
        raise Http404
    topic = selectors.topic_get(actor=request.user, pk=pk)
    fn = getattr(services, f"topic_{action}")
    kwargs = {}
    if action != "submit":
        kwargs["note"] = request.POST.get("note", "")
    if action in ("midterm", "accept", "fail"):
        kwargs["attachment"] = request.FILES.get("attachment")
    if action == "approve":
        kwargs["approved_budget"] = request.POST.get("approved_budget") or None
    try:
        fn(actor=request.user, topic=topic, **kwargs)
        messages.success(request, _("已{a}").format(a=services.ACTION_LABELS[action]))
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_message(exc))
    return redirect("studios:topic-detail", pk=topic.pk)


class ReviewForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    score = forms.DecimalField(label=gettext_lazy("评分（0–100）"), max_digits=5, decimal_places=2, min_value=0,
                               max_value=100)
    comment = forms.CharField(label=gettext_lazy("评审意见"), widget=forms.Textarea(attrs={"rows": 5}),
                              required=False)


@login_required
def topic_review_view(request, pk):
    _require_access(request)
    topic = selectors.topic_get(actor=request.user, pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_review(actor=request.user, topic=topic, score=form.cleaned_data["score"],
                                  comment=form.cleaned_data["comment"])
            messages.success(request, _("评审已提交"))
            return redirect("studios:topic-detail", pk=topic.pk)
        except ValidationError as exc:
            form.add_error("score" if hasattr(exc, "error_dict") and "score" in exc.message_dict else None,
                           exc.messages)
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(request, "studios/topic_review.html", {
        "topic": topic, "form": form, "team": topic.team.select_related("member", "studio"),
        "line": topic.alliance.approval_line if topic.alliance else 75})


# ---------------------------------------------------------------- achievements


@login_required
def achievement_list_view(request):
    _require_access(request)
    ctx = _list_context(request, selectors.achievement_list(actor=request.user).order_by("-achieved_on", "-id"),
                        AchievementFilterSet)
    return render(request, "studios/achievement_list.html", ctx)


@login_required
def achievement_export(request):
    _require_access(request)
    qs = _filtered(request, selectors.achievement_list(actor=request.user).order_by("-achieved_on", "-id"),
                   AchievementFilterSet)
    headers = [_("成果名称"), _("类别"), _("工作室"), _("取得日期"), _("专利号"), _("专利类型"), _("创效（元）"),
               _("节约工时（小时）"), _("转化应用")]
    rows = ([a.title, a.get_kind_display(), a.studio.name, a.achieved_on, a.patent_number,
             a.get_patent_type_display() if a.patent_type else "", a.yuan_saved, a.hours_saved,
             "；".join(f"{x.place}（{x.applied_on}）" for x in a.applications.all())] for a in qs)
    return xlsx_response("achievements.xlsx", headers, rows)


# ---------------------------------------------------------------- lectures, mentorships


@login_required
def lecture_list_view(request):
    _require_access(request)
    ctx = _list_context(request, selectors.lecture_list(actor=request.user).order_by("-starts_at", "-id"),
                        LectureFilterSet)
    return render(request, "studios/lecture_list.html", ctx)


@login_required
def lecture_detail(request, pk):
    _require_access(request)
    lecture = selectors.lecture_get(actor=request.user, pk=pk)
    member = services.actor_member(request.user)
    if request.method == "POST":
        try:
            if request.POST.get("op") == "signup" and member is not None:
                services.lecture_signup(actor=request.user, lecture=lecture, member=member)
                messages.success(request, _("报名成功"))
            elif request.POST.get("op") == "checkin":
                signup = services.lecture_checkin(actor=request.user, lecture=lecture,
                                                  token=request.POST.get("token", ""))
                messages.success(request, _("{n}签到成功").format(n=signup.member.name))
            else:
                raise PermissionDenied
        except (DomainError, ValidationError) as exc:
            messages.error(request, _error_message(exc))
        return redirect("studios:lecture-detail", pk=lecture.pk)
    signups = lecture.signups.select_related("member__org")
    ctx = {
        "lecture": lecture, "signups": signups,
        "my_signup": signups.filter(member=member).first() if member else None,
        "member": member, "can_checkin": has_role_on(request.user, lecture.org),
        "attended": signups.filter(attended_at__isnull=False).count(),
    }
    return render(request, "studios/lecture_detail.html", ctx)


@login_required
def mentorship_list_view(request):
    _require_access(request)
    ctx = _list_context(request, selectors.mentorship_list(actor=request.user).prefetch_related("notes"),
                        MentorshipFilterSet)
    return render(request, "studios/mentorship_list.html", ctx)


@login_required
def mentorship_export(request):
    _require_access(request)
    qs = _filtered(request, selectors.mentorship_list(actor=request.user), MentorshipFilterSet)
    headers = [_("工作室"), _("师傅"), _("徒弟"), _("结对日期"), _("培养目标"), _("状态"), _("培养成果"),
               _("晋升等级"), _("进展记录数")]
    rows = ([m.studio.name, m.mentor.name, m.apprentice.name, m.started_on, m.goals, m.get_status_display(),
             m.outcome, m.outcome_level, m.notes.count()] for m in qs)
    return xlsx_response("mentorships.xlsx", headers, rows)


# ---------------------------------------------------------------- yearly check list


@login_required
@require_http_methods(["GET", "POST"])
def check_list_view(request):
    _require_access(request)
    year = _year(request) if request.GET.get("year") else timezone.localdate().year - 1
    if request.method == "POST":
        try:
            year = int(request.POST.get("year", ""))
            if year >= timezone.localdate().year:
                raise ValidationError({"year": [_("只能考核已结束的年度")]})
            within = None
            if request.POST.get("within"):
                within = org_by_code(actor=request.user, code=request.POST["within"])
            checks = services.results_check_run(actor=request.user, year=year, within=within)
            messages.success(request, _("已完成{y}年度考核：{n}家工作室").format(y=year, n=len(checks)))
        except (DomainError, ValidationError, ValueError) as exc:
            messages.error(request, _error_message(exc) if not isinstance(exc, ValueError) else _("请选择年度"))
        return redirect(f"{request.path}?year={year}" if isinstance(year, int) else request.path)
    rows = selectors.check_list(actor=request.user, year=year)
    if request.GET.get("format") == "xlsx":
        headers = [_("工作室"), _("依托单位工会"), _("级别"), _("命名日期"), _("当年成果"), _("考核结论"),
                   _("考核后状态"), _("是否已执行")]
        from .choices import CheckOutcome, StudioStatus

        data = ([r["studio"].name, r["studio"].org.name, r["studio"].get_level_display(),
                 r["studio"].recognized_on, r["results"], CheckOutcome(r["outcome"]).label,
                 StudioStatus(r["status_after"]).label, r["checked"]] for r in rows)
        return xlsx_response(f"studio-check-{year}.xlsx", headers, data)
    roots = [o for o in org_roots(actor=request.user) if has_role_on(request.user, o)]
    return render(request, "studios/check_list.html", {
        "rows": rows, "year": year, "years": range(timezone.localdate().year, 2015, -1),
        "can_run": bool(roots) and year < timezone.localdate().year, "roots": roots,
        "pending": any(not r["checked"] for r in rows)})

