"""Pages of activities: staff pages (scoped) and the member's mobile pages. Thin: selectors and services."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.choices import READ_ROLES, WRITE_ROLES
from gonghui.core.errors import DomainError
from gonghui.core.exports import xlsx_response
from gonghui.core.scope import has_role_on, scope_paths
from gonghui.orgs.models import Member
from gonghui.orgs.selectors import member_list, member_search_q

from . import documents, rules, selectors, services
from .choices import ActivityStatus, SignupStatus
from .filtersets import ActivityFilterSet
from .forms import STATUS_ACTIONS, ActivityForm, PhotoForm, ReportForm

PAGE_SIZE = 25


# ---------------------------------------------------------------- helpers


def _require_staff(request) -> None:
    paths = scope_paths(request.user, READ_ROLES)
    if paths is not None and not paths:
        raise PermissionDenied


def _staff_activity(request, pk):
    _require_staff(request)
    return selectors.activity_get(actor=request.user, pk=pk)


def _member_of(request) -> Member | None:
    return getattr(request.user, "member", None)


def _back(request, activity, anchor: str = ""):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(f"/activities/{activity.pk}/" + (f"#{anchor}" if anchor else ""))


def _attach_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _local(value):
    return timezone.localtime(value) if value else None


# ---------------------------------------------------------------- staff: list, export, create, edit


@login_required
def activity_list(request):
    _require_staff(request)
    filterset = ActivityFilterSet(request.GET or None, queryset=selectors.activity_list(actor=request.user))
    qs = filterset.qs
    if request.GET.get("export") == "xlsx":
        return activity_export(qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    can_create = bool(scope_paths(request.user, WRITE_ROLES) is None or scope_paths(request.user, WRITE_ROLES))
    return render(request, "activities/activity_list.html", {
        "filter": filterset, "page": page, "query": query.urlencode(), "can_create": can_create,
    })


def activity_export(qs):
    headers = [_("活动主题"), _("类型"), _("主办工会"), _("其他主办单位"), _("地点"), _("开始时间"), _("结束时间"),
               _("名额"), _("已报名"), _("候补"), _("签到"), _("预算金额（元）"), _("预算科目"), _("状态")]
    rows = ((a.theme, a.get_kind_display(), a.org.name, "、".join(a.co_organiser_list), a.place, _local(a.starts_at),
             _local(a.ends_at), a.capacity if a.capacity is not None else _("不限"), a.confirmed_count,
             a.waitlist_count, a.attended_count, a.cost, a.budget_line, a.get_status_display())
            for a in qs.iterator(chunk_size=1000))
    return xlsx_response("activities.xlsx", headers, rows, widths=[36, 10, 30, 30, 30, 17, 17, 8, 8, 8, 8, 12, 20, 10])


@login_required
def activity_create(request):
    _require_staff(request)
    form = ActivityForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                actor=request.user, org=form.cleaned_data["org"],
                status=ActivityStatus.PUBLISHED if form.cleaned_data.get("publish") else ActivityStatus.DRAFT,
                **form.service_kwargs())
        except ValidationError as exc:
            _attach_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已创建活动“{theme}”").format(theme=activity.theme))
            return redirect("activities:activity-detail", pk=activity.pk)
    return render(request, "activities/activity_form.html", {"form": form, "activity": None})


@login_required
def activity_edit(request, pk):
    activity = _staff_activity(request, pk)
    form = ActivityForm(request.POST or None, actor=request.user, instance=activity)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        units, co_orgs = kwargs.pop("audience_units"), kwargs.pop("co_orgs")
        try:
            services.activity_update(actor=request.user, activity=activity, audience_units=units, co_orgs=co_orgs,
                                     **kwargs)
        except ValidationError as exc:
            _attach_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存"))
            return redirect("activities:activity-detail", pk=activity.pk)
    return render(request, "activities/activity_form.html", {"form": form, "activity": activity})


# ---------------------------------------------------------------- staff: detail and actions


@login_required
def activity_detail(request, pk):
    activity = _staff_activity(request, pk)
    signups = list(selectors.signup_list(activity=activity))
    can_write = has_role_on(request.user, activity.org, WRITE_ROLES)
    transitions = [(s, STATUS_ACTIONS[s]) for s in ActivityStatus.values
                   if rules.can_transition(activity.status, s)]
    return render(request, "activities/activity_detail.html", {
        "activity": activity,
        "stats": selectors.activity_stats(activity=activity),
        "confirmed": [s for s in signups if s.status == SignupStatus.CONFIRMED],
        "waitlist": [s for s in signups if s.status == SignupStatus.WAITLISTED],
        "cancelled": [s for s in signups if s.status == SignupStatus.CANCELLED],
        "attended": [s for s in signups if s.checked_in_at],
        "photos": list(activity.photos.all()),
        "photo_form": PhotoForm(),
        "report_form": ReportForm(initial={"report_text": activity.report_text}),
        "can_write": can_write,
        "transitions": transitions,
        "co_orgs": list(activity.co_orgs.all()),
        "audience_units": list(activity.audience_units.all()),
    })


@login_required
@require_POST
def activity_status(request, pk):
    activity = _staff_activity(request, pk)
    try:
        services.activity_set_status(actor=request.user, activity=activity, status=request.POST.get("status", ""))
        messages.success(request, _("活动状态已更新"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request, activity)


@login_required
def member_search(request, pk):
    """htmx: members in the actor's scope matching the query, with a sign-up button each."""
    activity = _staff_activity(request, pk)
    q = request.GET.get("q", "").strip()
    members = []
    if q:
        signed = selectors.signup_list(activity=activity).exclude(status=SignupStatus.CANCELLED)
        members = list(member_list(actor=request.user).filter(member_search_q(q)).exclude(
            pk__in=signed.values("member_id")).order_by("name_pinyin", "id")[:20])
    return render(request, "activities/_member_search.html", {"activity": activity, "members": members, "q": q})


@login_required
@require_POST
def signup_add(request, pk):
    activity = _staff_activity(request, pk)
    member = member_list(actor=request.user).filter(pk=request.POST.get("member") or 0).first()
    if member is None:
        raise Http404
    try:
        signup = services.signup_create(actor=request.user, activity=activity, member=member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if signup.status == SignupStatus.CONFIRMED:
            messages.success(request, _("已为{name}报名").format(name=member.name))
        else:
            messages.warning(request, _("名额已满，{name}已进入候补名单").format(name=member.name))
    return _back(request, activity, "signups")


@login_required
@require_POST
def signup_cancel(request, pk, signup_pk):
    activity = _staff_activity(request, pk)
    signup = selectors.signup_get(activity=activity, pk=signup_pk)
    try:
        services.signup_cancel(actor=request.user, signup=signup)
        messages.success(request, _("已取消{name}的报名").format(name=signup.member.name))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request, activity, "signups")


@login_required
@require_POST
def signup_checkin(request, pk, signup_pk):
    activity = _staff_activity(request, pk)
    signup = selectors.signup_get(activity=activity, pk=signup_pk)
    try:
        if request.POST.get("undo"):
            services.signup_checkin_undo(actor=request.user, signup=signup)
            messages.success(request, _("已撤销{name}的签到").format(name=signup.member.name))
        else:
            services.signup_checkin(actor=request.user, signup=signup)
            messages.success(request, _("{name}已签到").format(name=signup.member.name))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request, activity, "signups")


@login_required
def checkin_page(request, pk):
    """The scanning page: a USB/phone scanner types the QR token (or the card number) and Enter."""
    activity = _staff_activity(request, pk)
    if request.method == "POST":
        if not has_role_on(request.user, activity.org, WRITE_ROLES):
            raise PermissionDenied
        result = {"ok": False}
        try:
            signup = services.attendance_checkin(actor=request.user, activity=activity,
                                                 card=request.POST.get("card", ""))
            result = {"ok": True, "signup": signup, "member": signup.member}
        except DomainError as exc:
            result = {"ok": False, "code": exc.code, "message": exc.message}
        stats = selectors.activity_stats(activity=activity)
        if request.headers.get("HX-Request"):
            return render(request, "activities/_checkin_result.html", {
                "result": result, "stats": stats, "activity": activity, "recent": _recent_checkins(activity)})
        if result["ok"]:
            messages.success(request, _("{name}签到成功").format(name=result["member"].name))
        else:
            messages.error(request, result["message"])
        return redirect("activities:activity-checkin", pk=activity.pk)
    return render(request, "activities/checkin.html", {
        "activity": activity, "stats": selectors.activity_stats(activity=activity),
        "recent": _recent_checkins(activity)})


def _recent_checkins(activity):
    return selectors.signup_list(activity=activity).filter(checked_in_at__isnull=False).order_by(
        "-checked_in_at")[:10]


@login_required
def attendance_export(request, pk):
    activity = _staff_activity(request, pk)
    headers = [_("报名顺序"), _("姓名"), _("会员卡号"), _("所在工会"), _("工作单位"), _("报名状态"), _("候补位次"),
               _("报名方式"), _("报名时间"), _("签到时间"), _("签到方式")]
    rows = ((s.seq, s.member.name, s.member.card_no, s.member.org.name, s.member.employer, s.get_status_display(),
             s.waitlist_position if s.status == SignupStatus.WAITLISTED else "", s.get_source_display(),
             _local(s.requested_at), _local(s.checked_in_at), s.get_checkin_method_display())
            for s in selectors.signup_list(activity=activity))
    name = f"attendance-{activity.pk}.xlsx"
    return xlsx_response(name, headers, rows, text_columns=[2], widths=[8, 10, 16, 30, 24, 10, 8, 12, 17, 17, 12])


# ---------------------------------------------------------------- photos and report


@login_required
@require_POST
def photo_upload(request, pk):
    activity = _staff_activity(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.photo_add(actor=request.user, activity=activity, image=form.cleaned_data["image"],
                               caption=form.cleaned_data["caption"], credit=form.cleaned_data["credit"])
            messages.success(request, _("照片已上传"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, "；".join(f"{form.fields[f].label}：{e[0]}" if f in form.fields else e[0]
                                         for f, e in form.errors.items()))
    return _back(request, activity, "photos")


@login_required
@require_POST
def photo_delete(request, pk, photo_pk):
    activity = _staff_activity(request, pk)
    photo = selectors.photo_get(activity=activity, pk=photo_pk)
    try:
        services.photo_delete(actor=request.user, photo=photo)
        messages.success(request, _("照片已删除"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request, activity, "photos")


@login_required
def photo_image(request, pk, photo_pk):
    """Serve a photo to staff in scope, or to a member who may see the activity (media is not public)."""
    member = _member_of(request)
    paths = scope_paths(request.user, READ_ROLES)
    if paths is None or paths:
        activity = selectors.activity_get(actor=request.user, pk=pk)
    elif member is not None:
        activity = selectors.activity_for_member_get(member=member, pk=pk)
    else:
        raise Http404
    photo = selectors.photo_get(activity=activity, pk=photo_pk)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404
    content_type = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def report_edit(request, pk):
    activity = _staff_activity(request, pk)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.activity_report_update(actor=request.user, activity=activity,
                                            report_text=form.cleaned_data["report_text"])
            messages.success(request, _("简报已保存"))
        except DomainError as exc:
            messages.error(request, exc.message)
    return _back(request, activity, "report")


def _report_name(activity, ext: str) -> str:
    stamp = timezone.localtime(activity.starts_at).strftime("%Y%m%d")
    return f"{stamp}-{activity.theme[:40] or slugify(activity.pk)}.{ext}"


@login_required
def report_pdf(request, pk):
    activity = _staff_activity(request, pk)
    response = HttpResponse(documents.report_pdf(activity), content_type="application/pdf")
    response["Content-Disposition"] = _disposition(_report_name(activity, "pdf"), inline=True)
    return response


@login_required
def report_docx(request, pk):
    activity = _staff_activity(request, pk)
    response = HttpResponse(
        documents.report_docx(activity),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = _disposition(_report_name(activity, "docx"))
    return response


def _disposition(filename: str, inline: bool = False) -> str:
    from urllib.parse import quote

    kind = "inline" if inline else "attachment"
    return "{k}; filename=\"report.{e}\"; filename*=UTF-8''{n}".format(
        k=kind, e=filename.rsplit(".", 1)[-1], n=quote(filename))


# ---------------------------------------------------------------- member pages (mobile first)


@login_required
def my_activities(request):
    member = _member_of(request)
    if member is None:
        return render(request, "activities/no_member.html", status=403)
    signups = list(selectors.activities_for_member(member))
    signed_ids = {s.activity_id for s in signups}
    open_activities = [a for a in selectors.activities_open_for_member(member=member) if a.pk not in signed_ids]
    return render(request, "activities/mine.html", {
        "member": member, "activity_signups": signups, "open_activities": open_activities})


@login_required
def member_activity(request, pk):
    member = _member_of(request)
    if member is None:
        return render(request, "activities/no_member.html", status=403)
    activity = selectors.activity_for_member_get(member=member, pk=pk)
    signup = selectors.member_signup(activity=activity, member=member)
    now = timezone.now()
    window = rules.signup_window_state(now=now, status=activity.status, starts_at=activity.starts_at,
                                       opens_at=activity.signup_opens_at, closes_at=activity.signup_closes_at)
    active = signup is not None and signup.status != SignupStatus.CANCELLED
    return render(request, "activities/member_activity.html", {
        "activity": activity, "signup": signup, "active": active, "window": window,
        "can_sign_up": window == rules.SignupWindow.OPEN and not active,
        "can_cancel": active and signup.checked_in_at is None and now < activity.starts_at
        and activity.status in (ActivityStatus.PUBLISHED, ActivityStatus.CLOSED),
        "full": activity.capacity is not None and activity.confirmed_count >= activity.capacity,
        "photos": list(activity.photos.all()) if activity.status == ActivityStatus.FINISHED else [],
        "co_orgs": list(activity.co_orgs.all()),
    })


@login_required
@require_POST
def member_signup(request, pk):
    member = _member_of(request)
    if member is None:
        raise PermissionDenied
    activity = selectors.activity_for_member_get(member=member, pk=pk)
    try:
        signup = services.signup_create(actor=request.user, activity=activity, member=member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if signup.status == SignupStatus.CONFIRMED:
            messages.success(request, _("报名成功！请按时参加，签到时出示会员码。"))
        else:
            position = selectors.member_signup(activity=activity, member=member).waitlist_position
            messages.warning(request, _("名额已满，您已进入候补名单第{n}位；有人取消时将按顺序自动递补。").format(
                n=position))
    return redirect("activities:member-activity", pk=activity.pk)


@login_required
@require_POST
def member_cancel(request, pk):
    member = _member_of(request)
    if member is None:
        raise PermissionDenied
    activity = selectors.activity_for_member_get(member=member, pk=pk)
    signup = selectors.member_signup(activity=activity, member=member)
    if signup is None:
        raise Http404
    try:
        services.signup_cancel(actor=request.user, signup=signup)
        messages.success(request, _("已取消报名"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("activities:member-activity", pk=activity.pk)
