"""Writes of the stations app: keyword-only, atomic, audited; refusals are DomainErrors."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit, snapshot
from gonghui.core.choices import WRITE_ROLES, Role
from gonghui.core.errors import ConflictError, DomainError, NotFound, PermissionDeniedError
from gonghui.core.pinyin import name_pinyin
from gonghui.core.scope import has_role_on
from gonghui.core.validators import normalize_phone, normalize_text
from gonghui.orgs.models import Organisation

from . import rules
from .choices import (
    AMENITY_BIT,
    CHECKLIST,
    Amenity,
    HostKind,
    ProblemKind,
    ProblemStatus,
    StationStatus,
    amenity_bits,
)
from .models import HoursException, Inspection, ProblemReport, Rating, Station, Visit

__all__ = [
    "can_keep",
    "can_manage",
    "coords_to_wgs84",
    "hours_exception_delete",
    "hours_exception_set",
    "inspection_create",
    "parse_amenities",
    "problem_report_create",
    "problem_resolve",
    "rate_limit",
    "rating_submit",
    "station_create",
    "station_set_hours",
    "station_set_status",
    "station_update",
    "visit_record",
]

Q7 = Decimal("0.0000001")
AUDIT_FIELDS = ["code", "name", "org", "host_kind", "host_name", "address", "lat", "lng", "amenity_bits",
                "capacity", "keeper", "contact_name", "contact_phone", "status", "always_open", "hours_text",
                *CHECKLIST]


# ---------------------------------------------------------------- helpers


def can_manage(actor: AbstractBaseUser, station: Station) -> bool:
    """Union staff (admin/staff) on the station's organisation or above."""
    return has_role_on(actor, station.org, WRITE_ROLES)


def can_keep(actor: AbstractBaseUser, station: Station) -> bool:
    """Staff, or the station's own keeper holding the station_keeper role on its organisation."""
    if can_manage(actor, station):
        return True
    return (station.keeper_id is not None and station.keeper_id == getattr(actor, "pk", None)
            and has_role_on(actor, station.org, (Role.STATION_KEEPER,)))


def _require_manage(actor: AbstractBaseUser, org: Organisation) -> None:
    if not has_role_on(actor, org, WRITE_ROLES):
        if not has_role_on(actor, org, tuple(Role)):
            raise NotFound("not_found", _("未找到该驿站或组织"))
        raise PermissionDeniedError("permission_denied", _("您没有管理该驿站的权限"))


def _require_keep(actor: AbstractBaseUser, station: Station) -> None:
    if not can_keep(actor, station):
        if not has_role_on(actor, station.org, tuple(Role)):
            raise NotFound("not_found", _("未找到该驿站"))
        raise PermissionDeniedError("permission_denied", _("只有该驿站的管理员或上级工会工作人员可以修改"))


def coords_to_wgs84(lat: Any, lng: Any, crs: str = "wgs84") -> tuple[Decimal, Decimal]:
    """Validate a point given in `crs` and return it in WGS-84 with 7 decimals."""
    if crs not in rules.CRS:
        raise ValidationError({"crs": [_("坐标系只能是 wgs84、gcj02 或 bd09")]}, code="crs")
    try:
        flat, flng = float(lat), float(lng)
    except (TypeError, ValueError):
        raise ValidationError({"lat": [_("经纬度必须是数字")]}, code="coords")
    if not -90 <= flat <= 90:
        raise ValidationError({"lat": [_("纬度应在-90到90之间")]}, code="lat_range")
    if not -180 <= flng <= 180:
        raise ValidationError({"lng": [_("经度应在-180到180之间")]}, code="lng_range")
    wlat, wlng = rules.to_wgs84(flat, flng, crs)
    return (Decimal(repr(wlat)).quantize(Q7, ROUND_HALF_EVEN), Decimal(repr(wlng)).quantize(Q7, ROUND_HALF_EVEN))


def parse_amenities(value: Any) -> list[str]:
    """"water,toilet" or a list → validated codes; an unknown code is a ValidationError naming it."""
    if value is None:
        return []
    items = value.replace("，", ",").replace("、", ",").split(",") if isinstance(value, str) else list(value)
    codes: list[str] = []
    labels = {str(c.label): c.value for c in Amenity}
    for item in items:
        code = normalize_text(item).lower()
        if not code:
            continue
        code = labels.get(normalize_text(item), code)
        if code not in AMENITY_BIT:
            raise ValidationError({"amenities": [_("未知的服务设施：{c}").format(c=normalize_text(item))]},
                                  code="amenity")
        if code not in codes:
            codes.append(code)
    return codes


def _apply_hours(station: Station, text: str) -> None:
    try:
        always, weekly = rules.parse_weekly(text)
    except rules.HoursError as exc:
        raise ValidationError({"hours_text": [str(exc)]}, code="hours")
    station.always_open = always
    station.weekly_hours = rules.weekly_to_json(weekly)
    station.hours_text = rules.format_weekly(always, weekly)


def _check_keeper(keeper: AbstractBaseUser | None, org: Organisation) -> None:
    if keeper is not None and not has_role_on(keeper, org, (Role.STATION_KEEPER, *WRITE_ROLES)):
        raise DomainError("keeper_role_missing",
                          _("{u} 没有该组织的驿站管理员角色，请先为其授予角色").format(u=keeper.get_username()))


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for key in ("name", "address", "host_name", "contact_name", "code"):
        if key in out:
            out[key] = normalize_text(out[key])
    if out.get("contact_phone"):
        out["contact_phone"] = normalize_phone(out["contact_phone"])
    if "host_kind" in out and out["host_kind"] not in HostKind.values:
        raise ValidationError({"host_kind": [_("未知的承建方类型")]})
    if "status" in out and out["status"] not in StationStatus.values:
        raise ValidationError({"status": [_("未知的驿站状态")]})
    return out


def _next_code(org: Organisation) -> str:
    prefix = org.code + "-Z"
    n = Station.objects.filter(code__startswith=prefix).count() + 1
    while Station.objects.filter(code=f"{prefix}{n:04d}").exists():
        n += 1
    return f"{prefix}{n:04d}"


# ---------------------------------------------------------------- registry


@transaction.atomic
def station_create(
    *, actor: AbstractBaseUser | None, org: Organisation, name: str, address: str, lat: Any, lng: Any,
    crs: str = "wgs84", hours_text: str = "24小时", amenities: Any = (), code: str = "",
    keeper: AbstractBaseUser | None = None, **fields: Any,
) -> Station:
    """Register a station. `actor=None` is the command line / demo."""
    if actor is not None:
        _require_manage(actor, org)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    try:
        values = _clean({"name": name, "address": address, "code": code, **fields})
    except ValidationError as exc:
        errors.update(exc.message_dict if hasattr(exc, "error_dict") else {"contact_phone": exc.messages})
    station = Station(org=org, **values)
    for step in (lambda: setattr(station, "coords", coords_to_wgs84(lat, lng, crs)),
                 lambda: setattr(station, "amenity_bits", amenity_bits(parse_amenities(amenities))),
                 lambda: _apply_hours(station, hours_text)):
        try:
            step()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    station.lat, station.lng = station.coords
    _check_keeper(keeper, org)
    station.keeper = keeper
    if not station.code:
        station.code = _next_code(org)
    station.name_pinyin, station.name_initials = name_pinyin(station.name)
    station.full_clean()
    station.save()
    audit(actor=actor, action="station.create", org=org, target=station, after=snapshot(station, AUDIT_FIELDS))
    return station


@transaction.atomic
def station_update(*, actor: AbstractBaseUser, station: Station, **changes: Any) -> Station:
    """Change a station's registry data (staff). Coordinates come with their `crs`."""
    station = Station.objects.select_for_update().select_related("org").get(pk=station.pk)
    _require_manage(actor, station.org)
    before = snapshot(station, AUDIT_FIELDS)
    crs = changes.pop("crs", "wgs84")
    if "lat" in changes or "lng" in changes:
        station.lat, station.lng = coords_to_wgs84(changes.pop("lat", station.lat), changes.pop("lng", station.lng), crs)
    if "amenities" in changes:
        station.amenity_bits = amenity_bits(parse_amenities(changes.pop("amenities")))
    if "hours_text" in changes:
        _apply_hours(station, changes.pop("hours_text"))
    if "org" in changes and changes["org"] != station.org:
        _require_manage(actor, changes["org"])
    if "keeper" in changes:
        _check_keeper(changes["keeper"], changes.get("org", station.org))
    for key, value in _clean(changes).items():
        setattr(station, key, value)
    station.name_pinyin, station.name_initials = name_pinyin(station.name)
    station.full_clean()
    station.save()
    audit(actor=actor, action="station.update", org=station.org, target=station, before=before,
          after=snapshot(station, AUDIT_FIELDS))
    return station


@transaction.atomic
def station_set_hours(*, actor: AbstractBaseUser, station: Station, hours_text: str) -> Station:
    """A keeper (or staff) changes the weekly schedule."""
    station = Station.objects.select_for_update().select_related("org").get(pk=station.pk)
    _require_keep(actor, station)
    before = {"hours_text": station.hours_text}
    _apply_hours(station, hours_text)
    station.save()
    audit(actor=actor, action="station.hours", org=station.org, target=station, before=before,
          after={"hours_text": station.hours_text})
    return station


@transaction.atomic
def station_set_status(*, actor: AbstractBaseUser, station: Station, status: str) -> Station:
    """A keeper (or staff) opens or pauses the station; closing for good is staff only."""
    station = Station.objects.select_for_update().select_related("org").get(pk=station.pk)
    _require_keep(actor, station)
    if status not in StationStatus.values:
        raise DomainError("invalid_status", _("未知的驿站状态"))
    if (status == StationStatus.CLOSED or station.status == StationStatus.CLOSED) and not can_manage(actor, station):
        raise PermissionDeniedError("permission_denied", _("关闭或重新启用驿站需由工会工作人员操作"))
    before = station.status
    station.status = status
    station.save(update_fields=["status", "updated_at"])
    audit(actor=actor, action="station.status", org=station.org, target=station, before={"status": before},
          after={"status": status})
    return station


@transaction.atomic
def hours_exception_set(*, actor: AbstractBaseUser, station: Station, date: dt.date, hours_text: str = "",
                        reason: str = "") -> HoursException:
    """Special hours for a date ("" = closed all day), replacing any earlier entry for that date."""
    station = Station.objects.select_for_update().select_related("org").get(pk=station.pk)
    _require_keep(actor, station)
    text = normalize_text(hours_text)
    if text in ("", "闭站", "休息", "关闭", "closed"):
        intervals: list = []
    else:
        try:
            intervals = [[s, e] for s, e in rules.parse_intervals(text)]
        except rules.HoursError as exc:
            raise ValidationError({"hours_text": [str(exc)]}, code="hours")
    exc_obj, _created = HoursException.objects.update_or_create(
        station=station, date=date, defaults={"intervals": intervals, "reason": normalize_text(reason)[:100]})
    audit(actor=actor, action="station.hours_exception", org=station.org, target=station,
          after={"date": date, "intervals": intervals, "reason": exc_obj.reason})
    return exc_obj


@transaction.atomic
def hours_exception_delete(*, actor: AbstractBaseUser, exception: HoursException) -> None:
    station = exception.station
    _require_keep(actor, station)
    audit(actor=actor, action="station.hours_exception_delete", org=station.org, target=station,
          before={"date": exception.date, "intervals": exception.intervals})
    exception.delete()


# ---------------------------------------------------------------- inspections and problems


@transaction.atomic
def inspection_create(*, actor: AbstractBaseUser, station: Station, inspected_on: dt.date, stars: int,
                      checklist: dict[str, bool], notes: str = "", photo=None) -> Inspection:
    """Union staff inspect a station; the station's 六有 checklist takes the inspection's findings."""
    station = Station.objects.select_for_update().select_related("org").get(pk=station.pk)
    _require_manage(actor, station.org)
    if inspected_on > timezone.localdate():
        raise DomainError("future_date", _("检查日期不能晚于今天"))
    inspection = Inspection(station=station, inspector=actor, inspected_on=inspected_on, stars=stars,
                            notes=normalize_text(notes), **{f: bool(checklist.get(f)) for f in CHECKLIST})
    if photo:
        inspection.photo = photo
    inspection.full_clean()
    inspection.save()
    latest = station.inspections.order_by("-inspected_on", "-id").first()
    if latest and latest.pk == inspection.pk:
        for f in CHECKLIST:
            setattr(station, f, getattr(inspection, f))
        station.save(update_fields=[*CHECKLIST, "updated_at"])
    audit(actor=actor, action="station.inspect", org=station.org, target=station,
          after={"inspection": inspection.pk, "stars": stars, "passed": inspection.passed,
                 **{f: getattr(inspection, f) for f in CHECKLIST}})
    return inspection


@transaction.atomic
def problem_resolve(*, actor: AbstractBaseUser, problem: ProblemReport, status: str, resolution: str = ""
                    ) -> ProblemReport:
    problem = ProblemReport.objects.select_for_update().select_related("station__org").get(pk=problem.pk)
    _require_keep(actor, problem.station)
    if status not in (ProblemStatus.RESOLVED, ProblemStatus.DISMISSED):
        raise DomainError("invalid_status", _("处理结果只能是已处理或不予处理"))
    if problem.status != ProblemStatus.OPEN:
        raise ConflictError("already_handled", _("该问题已处理"))
    problem.status = status
    problem.resolution = normalize_text(resolution)[:500]
    problem.resolved_by = actor
    problem.save()
    audit(actor=actor, action="station.problem_resolve", org=problem.station.org, target=problem,
          after={"status": status, "resolution": problem.resolution})
    return problem


# ---------------------------------------------------------------- public: ratings, reports, visits


def rate_limit(key: str, *, limit: int, window: int) -> None:
    """A small fixed-window limiter in the cache; raises 429-style DomainError when exceeded."""
    cache_key = "gh-stations-rl:" + hashlib.sha256(key.encode()).hexdigest()[:32]
    if cache.add(cache_key, 1, window):
        return
    try:
        count = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, window)
        return
    if count > limit:
        err = DomainError("rate_limited", _("操作太频繁，请稍后再试"))
        err.status = 429
        raise err


def _public_station(station: Station) -> None:
    if station.status == StationStatus.CLOSED:
        raise NotFound("not_found", _("未找到该驿站"))


@transaction.atomic
def rating_submit(*, station: Station, device: str, stars: Any, comment: str = "", ip: str = "") -> Rating:
    """A worker rates a station: one rating per device per station per day (a database constraint)."""
    _public_station(station)
    rate_limit(f"rate:{ip}:{station.pk}", limit=5, window=3600)
    rate_limit(f"rate-ip:{ip}", limit=30, window=3600)
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        raise DomainError("invalid_stars", _("请选择1到5星"))
    if not 1 <= stars <= 5:
        raise DomainError("invalid_stars", _("请选择1到5星"))
    comment = normalize_text(comment)
    if len(comment) > 200:
        raise DomainError("too_long", _("评价最多200字"))
    rating = Rating(station=station, stars=stars, comment=comment, device=device[:64], day=timezone.localdate())
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        raise ConflictError("already_rated", _("今天已经评价过该驿站，明天再来吧"))
    return rating


@transaction.atomic
def problem_report_create(*, station: Station, device: str, kind: str, text: str = "", ip: str = ""
                          ) -> ProblemReport:
    _public_station(station)
    rate_limit(f"problem:{ip}:{station.pk}", limit=3, window=3600)
    rate_limit(f"problem-ip:{ip}", limit=20, window=3600)
    if kind not in ProblemKind.values:
        raise DomainError("invalid_kind", _("请选择问题类型"))
    text = normalize_text(text)
    if len(text) > 500:
        raise DomainError("too_long", _("问题描述最多500字"))
    if kind == ProblemKind.OTHER and not text:
        raise DomainError("text_required", _("请简要描述问题"))
    if ProblemReport.objects.filter(station=station, device=device[:64], status=ProblemStatus.OPEN,
                                    kind=kind).exists():
        raise ConflictError("already_reported", _("您已反馈过该问题，工作人员正在处理"))
    return ProblemReport.objects.create(station=station, device=device[:64], kind=kind, text=text)


def visit_record(*, station: Station, device: str, at: dt.datetime | None = None) -> bool:
    """Count a visit from the door's QR code; False when this device was already counted this hour."""
    _public_station(station)
    at = at or timezone.now()
    hour = at.replace(minute=0, second=0, microsecond=0)
    try:
        with transaction.atomic():
            Visit.objects.create(station=station, device=device[:64], hour=hour)
    except IntegrityError:
        return False
    return True
