"""Service stations for outdoor workers (户外劳动者服务站), RULES §6."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import Organisation

from . import rules
from .choices import (
    ALL_AMENITY_BITS,
    CHECKLIST,
    HostKind,
    ProblemKind,
    ProblemStatus,
    StationStatus,
    amenity_codes,
)

PHOTO_VALIDATORS = [FileExtensionValidator(["jpg", "jpeg", "png", "webp"])]
COORD = {"max_digits": 10, "decimal_places": 7}  # WGS-84 with 7 decimals: about 1 cm


class Station(models.Model):
    """A station: where, who hosts and keeps it, what it offers, when it is open."""

    code = models.CharField(_("驿站编号"), max_length=40, unique=True)
    name = models.CharField(_("驿站名称"), max_length=120)
    name_pinyin = models.CharField(max_length=300, blank=True, db_index=True)
    name_initials = models.CharField(max_length=100, blank=True, db_index=True)
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="stations",
                            verbose_name=_("主管工会"))
    host_kind = models.CharField(_("承建方类型"), max_length=12, choices=HostKind.choices, default=HostKind.UNION)
    host_name = models.CharField(_("承建方名称"), max_length=200, blank=True)
    address = models.CharField(_("地址"), max_length=300)
    lat = models.DecimalField(_("纬度(WGS-84)"), **COORD)
    lng = models.DecimalField(_("经度(WGS-84)"), **COORD)
    cell = models.BigIntegerField(_("网格"), db_index=True, editable=False, default=0)
    amenity_bits = models.BigIntegerField(_("服务设施"), default=0)
    capacity = models.PositiveIntegerField(_("容纳人数"), default=0)
    keeper = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="kept_stations", verbose_name=_("驿站管理员"))
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=11, blank=True)
    photo = models.FileField(_("照片"), upload_to="stations/%Y/", blank=True, validators=PHOTO_VALIDATORS)
    # 六有 checklist (O2), as last confirmed by staff or an inspection
    has_sign = models.BooleanField(_("有标识"), default=False)
    has_fixed_place = models.BooleanField(_("有固定场所"), default=False)
    has_facilities = models.BooleanField(_("有设施"), default=False)
    has_rules = models.BooleanField(_("有制度"), default=False)
    has_keeper = models.BooleanField(_("有人管理"), default=False)
    on_map = models.BooleanField(_("在地图上"), default=False)
    status = models.CharField(_("状态"), max_length=20, choices=StationStatus.choices, default=StationStatus.OPEN)
    always_open = models.BooleanField(_("24小时开放"), default=False)
    weekly_hours = models.JSONField(_("每周营业时间"), default=dict, blank=True)
    hours_text = models.CharField(_("营业时间"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("服务站")
        verbose_name_plural = _("服务站")
        ordering = ["name_pinyin", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(lat__gte=-90) & Q(lat__lte=90), name="stations_station_lat_range",
                                   violation_error_message=_("纬度应在-90到90之间")),
            models.CheckConstraint(condition=Q(lng__gte=-180) & Q(lng__lte=180),
                                   name="stations_station_lng_range",
                                   violation_error_message=_("经度应在-180到180之间")),
            models.CheckConstraint(condition=Q(status__in=StationStatus.values), name="stations_station_status_valid",
                                   violation_error_message=_("未知的驿站状态")),
            models.CheckConstraint(condition=Q(host_kind__in=HostKind.values),
                                   name="stations_station_host_kind_valid",
                                   violation_error_message=_("未知的承建方类型")),
            models.CheckConstraint(condition=Q(amenity_bits__gte=0) & Q(amenity_bits__lte=ALL_AMENITY_BITS),
                                   name="stations_station_amenities_valid",
                                   violation_error_message=_("未知的服务设施")),
        ]
        indexes = [models.Index(fields=["org", "status"], name="stations_org_status_idx"),
                   models.Index(fields=["lat", "lng"], name="stations_lat_lng_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.cell = rules.cell_id(float(self.lat), float(self.lng))
        super().save(*args, **kwargs)

    @property
    def amenities(self) -> list[str]:
        return amenity_codes(self.amenity_bits)

    @property
    def checklist(self) -> dict[str, bool]:
        return {f: getattr(self, f) for f in CHECKLIST}

    @property
    def checklist_passed(self) -> bool:
        return all(self.checklist.values())

    def schedule(self, exceptions=None) -> rules.Schedule:
        weekly = {d: tuple(v) for d, v in rules.weekly_from_json(self.weekly_hours).items()}
        if exceptions is None:
            exceptions = self.exceptions.all()
        return rules.Schedule(always_open=self.always_open, weekly=weekly,
                              exceptions={e.date: tuple(e.interval_list) for e in exceptions})


class HoursException(models.Model):
    """Hours of one date that differ from the weekly schedule (a holiday: closed, or special hours)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="exceptions",
                                verbose_name=_("驿站"))
    date = models.DateField(_("日期"))
    intervals = models.JSONField(_("营业时段"), default=list, blank=True)  # [] = closed all day
    reason = models.CharField(_("原因"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("特殊营业日")
        verbose_name_plural = _("特殊营业日")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["station", "date"], name="stations_hoursexception_one_per_day",
                                               violation_error_message=_("该日期已设置特殊营业时间"))]

    def __str__(self) -> str:
        return f"{self.date} {self.text}"

    @property
    def interval_list(self) -> list[tuple[int, int]]:
        return [(int(s), int(e)) for s, e in self.intervals or []]

    @property
    def text(self) -> str:
        return rules.format_intervals(self.interval_list) if self.intervals else str(_("全天闭站"))


class StationChange(models.Model):
    """Append-only log of stations whose searchable data changed; the in-process index replays it."""

    station_id = models.BigIntegerField()
    changed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"#{self.pk} station {self.station_id}"


class Inspection(models.Model):
    """An inspection by union staff: the 六有 checklist, a photo, stars and notes."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="inspections", verbose_name=_("驿站"))
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("检查人"))
    inspected_on = models.DateField(_("检查日期"))
    has_sign = models.BooleanField(_("有标识"), default=False)
    has_fixed_place = models.BooleanField(_("有固定场所"), default=False)
    has_facilities = models.BooleanField(_("有设施"), default=False)
    has_rules = models.BooleanField(_("有制度"), default=False)
    has_keeper = models.BooleanField(_("有人管理"), default=False)
    on_map = models.BooleanField(_("在地图上"), default=False)
    stars = models.PositiveSmallIntegerField(_("星级"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    notes = models.TextField(_("检查意见"), max_length=2000, blank=True)
    photo = models.FileField(_("现场照片"), upload_to="inspections/%Y/", blank=True, validators=PHOTO_VALIDATORS)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering = ["-inspected_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5),
                                              name="stations_inspection_stars_range",
                                              violation_error_message=_("星级应为1到5星"))]

    def __str__(self) -> str:
        return f"{self.station_id} {self.inspected_on}"

    @property
    def passed(self) -> bool:
        return all(getattr(self, f) for f in CHECKLIST)


class ProblemReport(models.Model):
    """A problem a worker reports (public, no login)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="problems", verbose_name=_("驿站"))
    kind = models.CharField(_("问题类型"), max_length=20, choices=ProblemKind.choices)
    text = models.CharField(_("问题描述"), max_length=500, blank=True)
    device = models.CharField(max_length=64, db_index=True)
    status = models.CharField(_("状态"), max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    resolution = models.CharField(_("处理结果"), max_length=500, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("问题反馈")
        verbose_name_plural = _("问题反馈")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ProblemKind.values), name="stations_problemreport_kind_valid",
                                   violation_error_message=_("未知的问题类型")),
            models.CheckConstraint(condition=Q(status__in=ProblemStatus.values),
                                   name="stations_problemreport_status_valid",
                                   violation_error_message=_("未知的处理状态")),
        ]
        indexes = [models.Index(fields=["station", "status"], name="stations_problem_st_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Rating(models.Model):
    """A worker's star rating of a station: one per device per station per day."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("驿站"))
    stars = models.PositiveSmallIntegerField(_("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField(_("评价"), max_length=200, blank=True)
    device = models.CharField(max_length=64)
    day = models.DateField(_("日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["station", "device", "day"], name="stations_rating_one_per_device_day",
                                    violation_error_message=_("今天已经评价过该驿站")),
            models.CheckConstraint(condition=Q(stars__gte=1) & Q(stars__lte=5), name="stations_rating_stars_range",
                                   violation_error_message=_("评分应为1到5星")),
        ]

    def __str__(self) -> str:
        return f"{self.stars}★"


class Visit(models.Model):
    """A visit counted by the QR code on the station's door: one per device per station per hour."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="visits", verbose_name=_("驿站"))
    device = models.CharField(max_length=64)
    hour = models.DateTimeField(_("时段"))  # the visit's time truncated to the hour
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("到站记录")
        verbose_name_plural = _("到站记录")
        constraints = [models.UniqueConstraint(fields=["station", "device", "hour"],
                                               name="stations_visit_one_per_device_hour",
                                               violation_error_message=_("该设备本小时已记录到站"))]
        indexes = [models.Index(fields=["station", "hour"], name="stations_visit_hour_idx")]

    def __str__(self) -> str:
        return f"{self.station_id} {self.hour}"




def _log_station_change(sender, instance, **kwargs) -> None:
    from .search import log_changes

    log_changes([instance.pk if sender is Station else instance.station_id])


for _model in (Station, HoursException):
    models.signals.post_save.connect(_log_station_change, sender=_model, dispatch_uid=f"stations-log-{_model.__name__}")
    models.signals.post_delete.connect(_log_station_change, sender=_model,
                                       dispatch_uid=f"stations-log-del-{_model.__name__}")
