"""Pages: the rider's page (public, mobile), the station's public page and door QR, staff registry."""

from __future__ import annotations

import datetime as dt
import os
import secrets

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.choices import READ_ROLES, Role
from gonghui.core.errors import DomainError
from gonghui.core.exports import xlsx_response
from gonghui.core.scope import scope_paths
from gonghui.orgs.models import Organisation

from . import imports, rules, selectors, services
from .api import nav_links
from .choices import CHECKLIST, Amenity, HostKind, ProblemKind, ProblemStatus, StationStatus
from .forms import ExceptionForm, HoursForm, ImportForm, InspectionForm, StationForm
from .models import HoursException, ProblemReport, Station

DEVICE_COOKIE = "gh_device"
DEVICE_SALT = "gonghui.stations.device"
VISIT_SALT = "gonghui.stations.visit"
PER_PAGE = 30

# Starting points a rider can pick when the phone gives no location (WGS-84 centres).
PLACES = [
    ("chaoyang-sanlitun", "朝阳区·三里屯", 39.9335, 116.4535),
    ("chaoyang-guomao", "朝阳区·国贸", 39.9088, 116.4605),
    ("haidian-zhongguancun", "海淀区·中关村", 39.9812, 116.3100),
    ("haidian-xueyuanlu", "海淀区·学院路", 39.9920, 116.3500),
    ("shunyi-center", "顺义区·城区", 40.1300, 116.6540),
    ("yizhuang", "经开区·亦庄", 39.7950, 116.5060),
    ("dongcheng-wangfujing", "东城区·王府井", 39.9110, 116.4100),
    ("xicheng-xidan", "西城区·西单", 39.9070, 116.3680),
]


def map_settings() -> dict:
    """Tiles come from GONGHUI_MAP_TILES (a Leaflet URL template); unset → list only, no network."""
    return {
        "tiles": getattr(settings, "GONGHUI_MAP_TILES", "") or os.environ.get("GONGHUI_MAP_TILES", ""),
        "tiles_crs": (getattr(settings, "GONGHUI_MAP_TILES_CRS", "")
                      or os.environ.get("GONGHUI_MAP_TILES_CRS", "wgs84")).lower(),
        "attribution": os.environ.get("GONGHUI_MAP_ATTRIBUTION", ""),
        "subdomains": os.environ.get("GONGHUI_MAP_SUBDOMAINS", "abc"),
    }


# ---------------------------------------------------------------- device token (no login)


def read_device(request) -> str:
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return ""
    try:
        return signing.loads(raw, salt=DEVICE_SALT)
    except signing.BadSignature:
        return ""


def ensure_device(request, response) -> str:
    device = read_device(request)
    if not device:
        device = secrets.token_hex(16)
        response.set_cookie(DEVICE_COOKIE, signing.dumps(device, salt=DEVICE_SALT), max_age=3 * 365 * 86400,
                            httponly=True, samesite="Lax", secure=request.is_secure())
    return device


def visit_token(station: Station) -> str:
    return signing.dumps(station.pk, salt=VISIT_SALT)


# ---------------------------------------------------------------- public pages


def near(request):
    """The rider's page: nearest open stations from the phone's location (public, no login)."""
    response = render(request, "stations/near.html", {
        "amenities": Amenity.choices, "places": PLACES, "map": map_settings(),
        "problem_kinds": ProblemKind.choices,
    })
    ensure_device(request, response)
    return response


def public_detail(request, pk: int):
    station = selectors.public_station_get(pk=pk)
    now = timezone.now()
    open_now = station.status == StationStatus.OPEN and rules.is_open(station.schedule(), now)
    upcoming = station.exceptions.filter(date__gte=timezone.localdate()).order_by("date")[:5]
    response = render(request, "stations/public_detail.html", {
        "station": station, "open_now": open_now, "upcoming": upcoming,
        "nav": nav_links(float(station.lat), float(station.lng), station.name),
        "amenity_labels": [Amenity(c).label for c in station.amenities],
        "problem_kinds": ProblemKind.choices, "counted": request.GET.get("counted"),
    })
    ensure_device(request, response)
    return response


def visit(request, token: str):
    """The QR code on the door: count one visit per device per hour, then show the station."""
    try:
        pk = signing.loads(token, salt=VISIT_SALT)
    except signing.BadSignature:
        raise Http404
    station = selectors.public_station_get(pk=pk)
    response = redirect(reverse("stations:public-detail", args=[station.pk]) + "?counted=1")
    device = ensure_device(request, response)
    services.visit_record(station=station, device=device)
    return response


# ---------------------------------------------------------------- staff pages


def _require_staff(request) -> None:
    paths = scope_paths(request.user, (*READ_ROLES, Role.STATION_KEEPER))
    if paths is not None and not paths:
        raise PermissionDenied


def _filtered(request):
    qs = selectors.with_flags(selectors.station_list(actor=request.user))
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(selectors.station_search_q(q))
    status = request.GET.get("status", "")
    if status in StationStatus.values:
        qs = qs.filter(status=status)
    amenity = request.GET.get("amenity", "")
    if amenity in Amenity.values:
        from .choices import AMENITY_BIT

        bit = AMENITY_BIT[amenity]
        from django.db.models import F

        qs = qs.annotate(_has=F("amenity_bits").bitand(bit)).filter(_has=bit)
    within = request.GET.get("within", "").strip()
    if within:
        path = Organisation.objects.filter(code=within).values_list("path", flat=True).first()
        qs = qs.filter(org__path__startswith=path) if path else qs.none()
    if request.GET.get("flagged"):
        qs = qs.filter(selectors.flagged_filter())
    if request.GET.get("always_open"):
        qs = qs.filter(always_open=True)
    return qs


@login_required
def station_list(request):
    _require_staff(request)
    qs = _filtered(request)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "stations/list.html", {
        "page": page, "statuses": StationStatus.choices, "amenities": Amenity.choices, "query": params.urlencode(),
        "flag_problems": selectors.FLAG_PROBLEMS,
        "can_create": scope_paths(request.user, (Role.ADMIN, Role.STAFF)) != [],
    })


@login_required
def station_export(request):
    _require_staff(request)
    headers = ["驿站编号", "驿站名称", "主管工会", "承建方", "地址", "纬度(WGS-84)", "经度(WGS-84)", "服务设施",
               "营业时间", "24小时", "状态", "容纳人数", "管理员", "联系电话", *[str(v) for v in CHECKLIST.values()],
               "待处理问题", "最近检查星级"]
    rows = ([s.code, s.name, s.org.name, s.host_name or s.get_host_kind_display(), s.address, s.lat, s.lng,
             "、".join(str(Amenity(c).label) for c in s.amenities), s.hours_text, s.always_open, s.get_status_display(),
             s.capacity, s.keeper.username if s.keeper else "", s.contact_phone,
             *[getattr(s, f) for f in CHECKLIST], s.open_problems, s.last_stars or ""]
            for s in _filtered(request).iterator(chunk_size=1000))
    return xlsx_response("驿站登记表.xlsx", headers, rows, text_columns=(0, 13))


@login_required
def station_detail(request, pk: int):
    _require_staff(request)
    station = selectors.station_get(actor=request.user, pk=pk)
    now = timezone.now()
    return render(request, "stations/detail.html", {
        "station": station,
        "open_now": station.status == StationStatus.OPEN and rules.is_open(station.schedule(), now),
        "amenity_labels": [Amenity(c).label for c in station.amenities],
        "checklist": [(label, getattr(station, f)) for f, label in CHECKLIST.items()],
        "inspections": station.inspections.select_related("inspector")[:20],
        "problems": station.problems.all()[:30],
        "exceptions": station.exceptions.filter(date__gte=timezone.localdate() - dt.timedelta(days=30)),
        "ratings": station.ratings.all()[:10],
        "can_manage": services.can_manage(request.user, station),
        "can_keep": services.can_keep(request.user, station),
        "visit_url": request.build_absolute_uri(reverse("stations:visit", args=[visit_token(station)])),
        "hours_form": HoursForm(initial={"hours_text": station.hours_text}),
        "exception_form": ExceptionForm(), "statuses": StationStatus.choices,
        "problem_statuses": [(ProblemStatus.RESOLVED, ProblemStatus.RESOLVED.label),
                             (ProblemStatus.DISMISSED, ProblemStatus.DISMISSED.label)],
    })


@login_required
def station_qr(request, pk: int):
    _require_staff(request)
    station = selectors.station_get(actor=request.user, pk=pk)
    url = request.build_absolute_uri(reverse("stations:visit", args=[visit_token(station)]))
    buffer = __import__("io").BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=2)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


def _keeper_user(username: str):
    if not username:
        return None
    user = get_user_model().objects.filter(username=username.strip()).first()
    if user is None:
        raise ValidationError({"keeper": [_("用户{u}不存在").format(u=username)]})
    return user


def _station_values(form: StationForm) -> dict:
    data = dict(form.cleaned_data)
    data.pop("org")
    data["keeper"] = _keeper_user(data.pop("keeper", ""))
    if not data.get("photo"):
        data.pop("photo", None)
    return data


def _form_errors(form, exc) -> None:
    if isinstance(exc, DomainError):
        form.add_error(None, exc.message)
        return
    for field, msgs in (exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}).items():
        target = field if field in form.fields else None
        for m in msgs:
            form.add_error(target, m)


@login_required
def station_create(request):
    _require_staff(request)
    form = StationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        org = Organisation.objects.filter(code=form.cleaned_data["org"].strip()).first()
        if org is None:
            form.add_error("org", _("组织代码不存在"))
        else:
            try:
                station = services.station_create(actor=request.user, org=org, **_station_values(form))
                messages.success(request, _("已登记驿站：{n}").format(n=station.name))
                return redirect("stations:station-detail", pk=station.pk)
            except (ValidationError, DomainError) as exc:
                _form_errors(form, exc)
    return render(request, "stations/form.html", {"form": form, "title": _("登记驿站")})


@login_required
def station_edit(request, pk: int):
    _require_staff(request)
    station = selectors.station_get(actor=request.user, pk=pk)
    if not services.can_manage(request.user, station):
        raise PermissionDenied
    initial = {"org": station.org.code, "code": station.code, "name": station.name, "host_kind": station.host_kind,
               "host_name": station.host_name, "address": station.address, "crs": "wgs84",
               "lat": float(station.lat), "lng": float(station.lng), "amenities": station.amenities,
               "hours_text": station.hours_text, "capacity": station.capacity,
               "keeper": station.keeper.username if station.keeper else "", "contact_name": station.contact_name,
               "contact_phone": station.contact_phone, "status": station.status, **station.checklist}
    form = StationForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        org = Organisation.objects.filter(code=form.cleaned_data["org"].strip()).first()
        if org is None:
            form.add_error("org", _("组织代码不存在"))
        else:
            try:
                services.station_update(actor=request.user, station=station, org=org, **_station_values(form))
                messages.success(request, _("已保存"))
                return redirect("stations:station-detail", pk=station.pk)
            except (ValidationError, DomainError) as exc:
                _form_errors(form, exc)
    return render(request, "stations/form.html", {"form": form, "title": _("编辑驿站：{n}").format(n=station.name),
                                                  "station": station})


@login_required
@require_POST
def station_keep(request, pk: int):
    """Keeper actions from the detail page: weekly hours, status, a dated exception."""
    station = selectors.station_get(actor=request.user, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "hours":
            services.station_set_hours(actor=request.user, station=station, hours_text=request.POST.get("hours_text", ""))
        elif action == "status":
            services.station_set_status(actor=request.user, station=station, status=request.POST.get("status", ""))
        elif action == "exception":
            form = ExceptionForm(request.POST)
            if not form.is_valid():
                raise DomainError("invalid", _("请填写正确的日期"))
            services.hours_exception_set(actor=request.user, station=station, date=form.cleaned_data["date"],
                                         hours_text=form.cleaned_data["hours_text"], reason=form.cleaned_data["reason"])
        elif action == "exception_delete":
            exc_obj = get_object_or_404(HoursException, pk=request.POST.get("exception"), station=station)
            services.hours_exception_delete(actor=request.user, exception=exc_obj)
        else:
            raise DomainError("invalid", _("未知的操作"))
        messages.success(request, _("已保存"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message)
        messages.error(request, exc.message)
    return redirect(request.POST.get("next") or reverse("stations:station-detail", args=[station.pk]))


@login_required
def keeper_home(request):
    stations = selectors.keeper_stations(actor=request.user)
    now = timezone.now()
    rows = [(s, s.status == StationStatus.OPEN and rules.is_open(s.schedule(), now)) for s in stations]
    return render(request, "stations/keeper.html", {"rows": rows})


@login_required
def station_inspect(request, pk: int):
    _require_staff(request)
    station = selectors.station_get(actor=request.user, pk=pk)
    if not services.can_manage(request.user, station):
        raise PermissionDenied
    form = InspectionForm(request.POST or None, request.FILES or None,
                          initial={"inspected_on": timezone.localdate(), "stars": 5})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.inspection_create(actor=request.user, station=station, inspected_on=data["inspected_on"],
                                       stars=data["stars"], notes=data["notes"], photo=data.get("photo"),
                                       checklist={f: data[f] for f in CHECKLIST})
            messages.success(request, _("已记录检查结果"))
            return redirect("stations:station-detail", pk=station.pk)
        except (ValidationError, DomainError) as exc:
            _form_errors(form, exc)
    return render(request, "stations/inspect.html", {"form": form, "station": station})


@login_required
@require_POST
def problem_resolve(request, pk: int):
    problem = get_object_or_404(ProblemReport, pk=pk)
    station = selectors.station_get(actor=request.user, pk=problem.station_id)
    try:
        services.problem_resolve(actor=request.user, problem=problem, status=request.POST.get("status", ""),
                                 resolution=request.POST.get("resolution", ""))
        messages.success(request, _("已处理"))
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message)
        messages.error(request, exc.message)
    return redirect("stations:station-detail", pk=station.pk)


@login_required
def stats(request):
    _require_staff(request)
    qs = selectors.station_list(actor=request.user)
    within = request.GET.get("within", "").strip()
    org = None
    if within:
        org = Organisation.objects.filter(code=within).first()
        qs = qs.filter(org__path__startswith=org.path) if org else qs.none()
    figures = selectors.station_stats(qs=qs)
    by_org = []
    for child in _children_in_scope(request, org):
        sub = qs.filter(org__path__startswith=child.path)
        by_org.append((child, selectors.station_stats(qs=sub, days=1)))
    if request.GET.get("export"):
        headers = ["组织", "驿站总数", "运营中（不含关闭）", "当前开放", "24小时", "暂停开放", "评价数", "平均评分",
                   *[str(Amenity(c).label) for c in Amenity.values]]
        rows = [[o.name, f["total"], f["active"], f["open_now"], f["always_open"], f["closed_temporarily"],
                 f["ratings"], f["rating_avg"] or "", *[f["by_amenity"][c] for c in Amenity.values]]
                for o, f in by_org]
        rows.insert(0, [org.name if org else "合计", figures["total"], figures["active"], figures["open_now"],
                        figures["always_open"], figures["closed_temporarily"], figures["ratings"],
                        figures["rating_avg"] or "", *[figures["by_amenity"][c] for c in Amenity.values]])
        return xlsx_response("驿站统计.xlsx", headers, rows)
    amenity_rows = [(Amenity(c).label, n) for c, n in figures["by_amenity"].items()]
    visit_max = max([1, *figures["visits_per_day"].values()])
    return render(request, "stations/stats.html", {
        "figures": figures, "by_org": by_org, "org": org, "amenity_rows": amenity_rows, "visit_max": visit_max,
        "query": request.GET.urlencode()})


def _children_in_scope(request, org):
    paths = scope_paths(request.user, READ_ROLES)
    if org is not None:
        return list(Organisation.objects.get_children(org))
    if paths is None:
        roots = list(Organisation.objects.get_root_nodes())
        return [c for r in roots for c in Organisation.objects.get_children(r)] or roots
    roots = list(Organisation.objects.filter(path__in=paths).order_by("path"))
    if len(roots) == 1 and roots[0].numchild:
        return list(Organisation.objects.get_children(roots[0]))
    return roots


@login_required
def station_import(request):
    _require_staff(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.GONGHUI_IMPORT_MAX_BYTES:
            form.add_error("file", _("文件过大"))
        else:
            try:
                created = imports.stations_import(actor=request.user, file=upload)
                messages.success(request, _("已导入{n}个驿站").format(n=len(created)))
                return redirect("stations:station-list")
            except DomainError as exc:
                form.add_error(None, exc.message)
                errors = exc.extra.get("errors", [])
    return render(request, "stations/import.html", {"form": form, "errors": errors, "columns": imports.COLUMNS,
                                                    "host_kinds": HostKind.choices})
