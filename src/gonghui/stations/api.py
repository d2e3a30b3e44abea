"""API of service stations: the public nearest search and map list, staff registry, public feedback."""

from __future__ import annotations

import datetime as dt
import os
from urllib.parse import quote

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from gonghui.core.api import Pagination
from gonghui.core.errors import DomainError
from gonghui.core.permissions import ScopedPermission
from gonghui.core.scope import scope_paths
from gonghui.orgs.models import Organisation

from . import rules, search, selectors, services
from .choices import AMENITY_BIT, CHECKLIST, Amenity, amenity_codes
from .models import Station

MAX_K = 50


class PublicThrottle(SimpleRateThrottle):
    """Per-IP rate of the public endpoints; GONGHUI_STATIONS_RATE (e.g. "120/min") overrides."""

    scope = "stations_public"

    def get_rate(self) -> str:
        return os.environ.get("GONGHUI_STATIONS_RATE", "120/min")

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicFeedbackThrottle(PublicThrottle):
    scope = "stations_feedback"

    def get_rate(self) -> str:
        return os.environ.get("GONGHUI_STATIONS_FEEDBACK_RATE", "20/min")


# ---------------------------------------------------------------- helpers


def _bad(code: str, message: str) -> DomainError:
    return DomainError(code, message)


def _float(request, name: str, label: str) -> float:
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        raise _bad(f"missing_{name}", _("缺少参数 {n}（{l}）").format(n=name, l=label))
    try:
        value = float(raw)
    except ValueError:
        raise _bad(f"invalid_{name}", _("{l}必须是数字").format(l=label))
    if value != value or value in (float("inf"), float("-inf")):
        raise _bad(f"invalid_{name}", _("{l}必须是数字").format(l=label))
    return value


def _crs(request) -> str:
    crs = (request.query_params.get("crs") or "wgs84").strip().lower()
    if crs not in rules.CRS:
        raise _bad("invalid_crs", _("坐标系 crs 只能是 wgs84、gcj02 或 bd09"))
    return crs


def _out_coords(station_lat, station_lng, crs: str) -> tuple[float, float]:
    lat, lng = rules.from_wgs84(float(station_lat), float(station_lng), crs)
    return round(lat, 7), round(lng, 7)


def nav_links(lat: float, lng: float, name: str) -> dict[str, str]:
    """Navigation links: 高德 wants GCJ-02, 百度 BD-09 (both converted from WGS-84)."""
    glat, glng = rules.wgs84_to_gcj02(lat, lng)
    blat, blng = rules.gcj02_to_bd09(glat, glng)
    label = quote(name)
    return {
        "amap": f"https://uri.amap.com/navigation?to={glng:.6f},{glat:.6f},{label}&mode=ride&coordinate=gaode&callnative=1"
        ,
        "baidu": (f"https://api.map.baidu.com/direction?destination=latlng:{blat:.6f},{blng:.6f}|name:{label}"
                  "&coord_type=bd09ll&mode=riding&region=&output=html&src=gonghui"),
    }


# ---------------------------------------------------------------- nearest (public contract)


class NearestItem(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    distance_m = serializers.IntegerField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    open_now = serializers.BooleanField()
    amenities = serializers.ListField(child=serializers.CharField())
    address = serializers.CharField()
    hours_text = serializers.CharField()
    always_open = serializers.BooleanField()
    status = serializers.CharField()
    contact_phone = serializers.CharField()
    nav = serializers.DictField(child=serializers.CharField())


def parse_nearest_params(request) -> dict:
    lat = _float(request, "lat", _("纬度"))
    lng = _float(request, "lng", _("经度"))
    if not -90 <= lat <= 90:
        raise _bad("invalid_lat", _("纬度 lat 应在 -90 到 90 之间"))
    if not -180 <= lng <= 180:
        raise _bad("invalid_lng", _("经度 lng 应在 -180 到 180 之间"))
    crs = _crs(request)
    raw_k = request.query_params.get("k") or "5"
    try:
        k = int(raw_k)
    except ValueError:
        raise _bad("invalid_k", _("返回数量 k 必须是 1 到 {m} 的整数").format(m=MAX_K))
    if not 1 <= k <= MAX_K:
        raise _bad("invalid_k", _("返回数量 k 必须是 1 到 {m} 的整数").format(m=MAX_K))
    mask = 0
    codes = [c.strip() for c in (request.query_params.get("amenities") or "").split(",") if c.strip()]
    for code in codes:
        if code not in AMENITY_BIT:
            raise _bad("unknown_amenity", _("未知的服务设施：{c}（可选：{all}）").format(
                c=code, all="、".join(Amenity.values)))
        mask |= AMENITY_BIT[code]
    raw_at = (request.query_params.get("at") or "").strip()
    if raw_at:
        try:
            # a "+08:00" offset arrives as " 08:00" when the client did not encode the plus sign
            at = dt.datetime.fromisoformat(raw_at.replace(" ", "+") if "T" in raw_at else raw_at)
        except ValueError:
            raise _bad("invalid_at", _("时间 at 应为 ISO 8601 格式，例如 2025-07-01T12:00:00+08:00"))
        if at.tzinfo is None:
            at = at.replace(tzinfo=rules.SHANGHAI)
    else:
        at = timezone.now()
    open_param = (request.query_params.get("open") or "now").strip().lower()
    if open_param not in ("now", "any"):
        raise _bad("invalid_open", _("参数 open 只能是 now 或 any"))
    wlat, wlng = rules.to_wgs84(lat, lng, crs)
    return {"lat": wlat, "lng": wlng, "crs": crs, "k": k, "mask": mask, "at": at, "open_only": open_param == "now"}


def nearest_payload(params: dict) -> list[dict]:
    hits = search.nearest(params["lat"], params["lng"], k=params["k"], mask=params["mask"], at=params["at"],
                          open_only=params["open_only"])
    rows = {s["id"]: s for s in Station.objects.filter(id__in=[h.id for h in hits]).values(
        "id", "name", "address", "hours_text", "always_open", "status", "contact_phone")}
    out = []
    for hit in hits:
        row = rows.get(hit.id)
        if row is None:  # deleted since the index was read
            continue
        lat, lng = _out_coords(hit.lat, hit.lng, params["crs"])
        out.append({**row, "distance_m": int(round(hit.distance_m)), "lat": lat, "lng": lng,
                    "open_now": hit.open_now, "amenities": amenity_codes(hit.bits),
                    "nav": nav_links(hit.lat, hit.lng, row["name"])})
    return out


class NearestView(APIView):
    """The k nearest stations open at `at` with every requested amenity (public)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicThrottle]

    @extend_schema(
        parameters=[OpenApiParameter("lat", float, required=True), OpenApiParameter("lng", float, required=True),
                    OpenApiParameter("crs", str, enum=list(rules.CRS)), OpenApiParameter("k", int),
                    OpenApiParameter("amenities", str, description="逗号分隔，例如 water,toilet"),
                    OpenApiParameter("at", str, description="ISO 8601，默认当前时间"),
                    OpenApiParameter("open", str, enum=["now", "any"])],
        responses=NearestItem(many=True),
    )
    def get(self, request):
        return Response(NearestItem(nearest_payload(parse_nearest_params(request)), many=True).data)


# ---------------------------------------------------------------- map list and staff registry


class PublicStationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    amenities = serializers.ListField(child=serializers.CharField())
    hours_text = serializers.CharField()
    always_open = serializers.BooleanField()
    status = serializers.CharField()
    open_now = serializers.BooleanField()


class StationOutput(serializers.ModelSerializer):
    org_code = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    keeper = serializers.CharField(source="keeper.username", default=None, read_only=True)
    amenities = serializers.ListField(child=serializers.CharField(), read_only=True)
    checklist_passed = serializers.BooleanField(read_only=True)
    lat = serializers.SerializerMethodField()
    lng = serializers.SerializerMethodField()

    class Meta:
        model = Station
        fields = ["id", "code", "name", "org", "org_code", "org_name", "host_kind", "host_name", "address", "lat",
                  "lng", "amenities", "capacity", "keeper", "contact_name", "contact_phone", "status",
                  "always_open", "hours_text", *CHECKLIST, "checklist_passed", "created_at", "updated_at"]

    def _coords(self, obj):
        return _out_coords(obj.lat, obj.lng, self.context.get("crs", "wgs84"))

    def get_lat(self, obj) -> float:
        return self._coords(obj)[0]

    def get_lng(self, obj) -> float:
        return self._coords(obj)[1]


class StationInput(serializers.Serializer):
    org = serializers.CharField(max_length=32, help_text="主管工会组织代码")
    code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=120)
    address = serializers.CharField(max_length=300)
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    crs = serializers.ChoiceField(choices=list(rules.CRS), default="wgs84")
    amenities = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    hours_text = serializers.CharField(max_length=300, default="24小时")
    host_kind = serializers.CharField(required=False, default="union")
    host_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    capacity = serializers.IntegerField(min_value=0, required=False, default=0)
    contact_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class StationUpdate(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    address = serializers.CharField(max_length=300, required=False)
    lat = serializers.FloatField(required=False)
    lng = serializers.FloatField(required=False)
    crs = serializers.ChoiceField(choices=list(rules.CRS), required=False)
    amenities = serializers.ListField(child=serializers.CharField(), required=False)
    hours_text = serializers.CharField(max_length=300, required=False)
    host_kind = serializers.CharField(required=False)
    host_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    capacity = serializers.IntegerField(min_value=0, required=False)
    contact_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    status = serializers.CharField(required=False)


def _bbox(raw: str) -> tuple[float, float, float, float]:
    try:
        min_lng, min_lat, max_lng, max_lat = (float(x) for x in raw.split(","))
    except ValueError:
        raise _bad("invalid_bbox", _("bbox 应为 最小经度,最小纬度,最大经度,最大纬度"))
    if not (-180 <= min_lng <= max_lng <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise _bad("invalid_bbox", _("bbox 超出范围或最小值大于最大值"))
    if (max_lng - min_lng) * (max_lat - min_lat) > 4.0:
        raise _bad("bbox_too_large", _("地图范围过大，请放大地图后再查询"))
    return min_lng, min_lat, max_lng, max_lat


class StationListView(APIView):
    """GET: maps (public: `bbox` required, open data only) or the staff registry (scoped, everything).
    POST: register a station (staff)."""

    throttle_classes = [PublicThrottle]

    def get_permissions(self):
        if self.request.method == "GET":
            return [AllowAny()]
        return [ScopedPermission()]

    @extend_schema(parameters=[OpenApiParameter("bbox", str, description="minLng,minLat,maxLng,maxLat"),
                               OpenApiParameter("crs", str, enum=list(rules.CRS)),
                               OpenApiParameter("q", str), OpenApiParameter("within", str)],
                   responses=StationOutput(many=True))
    def get(self, request):
        crs = _crs(request)
        raw_bbox = request.query_params.get("bbox")
        staff = request.user.is_authenticated and scope_paths(request.user) != []
        paginator = Pagination()
        if staff:
            qs = selectors.station_list(actor=request.user)
            if raw_bbox:
                min_lng, min_lat, max_lng, max_lat = _bbox_any_crs(raw_bbox, crs)
                qs = qs.filter(pk__in=selectors.public_stations_in_bbox(
                    min_lat=min_lat, min_lng=min_lng, max_lat=max_lat, max_lng=max_lng).values("pk"))
            if request.query_params.get("q"):
                qs = qs.filter(selectors.station_search_q(request.query_params["q"]))
            within = request.query_params.get("within")
            if within:
                path = Organisation.objects.filter(code=within.strip()).values_list("path", flat=True).first()
                qs = qs.filter(org__path__startswith=path) if path else qs.none()
            page = paginator.paginate_queryset(qs, request, view=self)
            return paginator.get_paginated_response(StationOutput(page, many=True, context={"crs": crs}).data)
        if not raw_bbox:
            raise _bad("bbox_required", _("请提供地图范围 bbox=最小经度,最小纬度,最大经度,最大纬度"))
        min_lng, min_lat, max_lng, max_lat = _bbox_any_crs(raw_bbox, crs)
        qs = selectors.public_stations_in_bbox(min_lat=min_lat, min_lng=min_lng, max_lat=max_lat, max_lng=max_lng)
        qs = qs.prefetch_related("exceptions")
        page = paginator.paginate_queryset(qs, request, view=self)
        now = timezone.now()
        data = []
        for s in page:
            lat, lng = _out_coords(s.lat, s.lng, crs)
            data.append({"id": s.id, "name": s.name, "address": s.address, "lat": lat, "lng": lng,
                         "amenities": s.amenities, "hours_text": s.hours_text, "always_open": s.always_open,
                         "status": s.status,
                         "open_now": s.status == "open" and rules.is_open(s.schedule(), now)})
        return paginator.get_paginated_response(PublicStationOutput(data, many=True).data)

    @extend_schema(request=StationInput, responses={201: StationOutput})
    def post(self, request):
        data = StationInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        org = get_object_or_404(Organisation, code=values.pop("org"))
        station = services.station_create(actor=request.user, org=org, **values)
        return Response(StationOutput(station).data, status=status.HTTP_201_CREATED)


def _bbox_any_crs(raw: str, crs: str) -> tuple[float, float, float, float]:
    min_lng, min_lat, max_lng, max_lat = _bbox(raw)
    if crs == "wgs84":
        return min_lng, min_lat, max_lng, max_lat
    corners = [rules.to_wgs84(lat, lng, crs) for lat in (min_lat, max_lat) for lng in (min_lng, max_lng)]
    lats = [c[0] for c in corners]
    lngs = [c[1] for c in corners]
    return min(lngs), min(lats), max(lngs), max(lats)


class StationDetailView(APIView):
    @extend_schema(responses=StationOutput)
    def get(self, request, pk: int):
        station = selectors.station_get(actor=request.user, pk=pk)
        return Response(StationOutput(station, context={"crs": _crs(request)}).data)

    @extend_schema(request=StationUpdate, responses=StationOutput)
    def patch(self, request, pk: int):
        station = selectors.station_get(actor=request.user, pk=pk)
        data = StationUpdate(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        station = services.station_update(actor=request.user, station=station, **data.validated_data)
        return Response(StationOutput(station).data)


class InspectionInput(serializers.Serializer):
    inspected_on = serializers.DateField()
    stars = serializers.IntegerField(min_value=1, max_value=5)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    has_sign = serializers.BooleanField(default=False)
    has_fixed_place = serializers.BooleanField(default=False)
    has_facilities = serializers.BooleanField(default=False)
    has_rules = serializers.BooleanField(default=False)
    has_keeper = serializers.BooleanField(default=False)
    on_map = serializers.BooleanField(default=False)


class InspectionCreateView(APIView):
    @extend_schema(request=InspectionInput, responses={201: None})
    def post(self, request, pk: int):
        station = selectors.station_get(actor=request.user, pk=pk)
        data = InspectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        inspection = services.inspection_create(
            actor=request.user, station=station, inspected_on=v["inspected_on"], stars=v["stars"], notes=v["notes"],
            checklist={f: v[f] for f in CHECKLIST})
        return Response({"id": inspection.pk, "passed": inspection.passed}, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------- public feedback


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def device_of(request) -> str:
    """The device token: the rider page's signed cookie, an app's header, or else the IP."""
    from .views import read_device

    return read_device(request) or request.headers.get("X-Device-Token", "")[:64] or "ip:" + client_ip(request)


class RatingInput(serializers.Serializer):
    stars = serializers.IntegerField()
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ProblemInput(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class RatingCreateView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [PublicFeedbackThrottle]

    @extend_schema(request=RatingInput, responses={201: None})
    def post(self, request, pk: int):
        station = selectors.public_station_get(pk=pk)
        data = RatingInput(data=request.data)
        data.is_valid(raise_exception=True)
        rating = services.rating_submit(station=station, device=device_of(request), ip=client_ip(request),
                                        stars=data.validated_data["stars"], comment=data.validated_data["comment"])
        return Response({"id": rating.pk, "message": _("感谢您的评价")}, status=status.HTTP_201_CREATED)


class ProblemCreateView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [PublicFeedbackThrottle]

    @extend_schema(request=ProblemInput, responses={201: None})
    def post(self, request, pk: int):
        station = selectors.public_station_get(pk=pk)
        data = ProblemInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.problem_report_create(station=station, device=device_of(request), ip=client_ip(request),
                                                kind=data.validated_data["kind"], text=data.validated_data["text"])
        return Response({"id": report.pk, "message": _("已收到您的反馈")}, status=status.HTTP_201_CREATED)
