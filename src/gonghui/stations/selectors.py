"""Reads of the stations app, scoped to the actor's subtree(s); public reads only show open data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from gonghui.core.choices import READ_ROLES, Role
from gonghui.core.scope import scope_paths
from gonghui.core.validators import normalize_text

from . import rules
from .choices import AMENITY_BIT, CHECKLIST, ProblemStatus, StationStatus
from .models import Inspection, Rating, Station, Visit

__all__ = [
    "FLAG_PROBLEMS",
    "flagged_filter",
    "keeper_stations",
    "public_station_get",
    "public_stations_in_bbox",
    "station_get",
    "station_list",
    "station_search_q",
    "station_stats",
    "with_flags",
]

User = AbstractBaseUser | AnonymousUser
FLAG_PROBLEMS = 3  # open problem reports that flag a station


def station_list(*, actor: User, roles=READ_ROLES) -> QuerySet[Station]:
    """Stations of the actor's subtree(s), plus those they keep (holding the keeper role on them)."""
    qs = Station.objects.select_related("org", "keeper")
    paths = scope_paths(actor, roles)
    if paths is None:
        return qs.order_by("name_pinyin", "id")
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(org__path__startswith=path)
    for path in scope_paths(actor, (Role.STATION_KEEPER,)) or []:
        condition |= Q(keeper=actor, org__path__startswith=path)
    return qs.filter(condition).order_by("name_pinyin", "id")


def station_get(*, actor: User, pk: Any) -> Station:
    try:
        return station_list(actor=actor).get(pk=int(pk))
    except (Station.DoesNotExist, ValueError, TypeError):
        raise Http404


def keeper_stations(*, actor: User) -> QuerySet[Station]:
    if not getattr(actor, "is_authenticated", False):
        return Station.objects.none()
    return Station.objects.filter(keeper=actor).select_related("org").order_by("name_pinyin", "id")


def station_search_q(q: str) -> Q:
    """Name, code, address, pinyin or pinyin initials."""
    q = normalize_text(q)
    if not q:
        return Q()
    low = q.lower().replace(" ", "")
    return (Q(name__icontains=q) | Q(code__iexact=q) | Q(address__icontains=q) | Q(host_name__icontains=q)
            | Q(name_pinyin__contains=low) | Q(name_initials__startswith=low))


def with_flags(qs: QuerySet[Station]) -> QuerySet[Station]:
    """Annotate `open_problems` and `last_stars` (the latest inspection's stars)."""
    latest = Inspection.objects.filter(station=OuterRef("pk")).order_by("-inspected_on", "-id")
    return qs.annotate(
        open_problems=Count("problems", filter=Q(problems__status=ProblemStatus.OPEN), distinct=True),
        last_stars=Subquery(latest.values("stars")[:1]),
    )


def flagged_filter() -> Q:
    """Failing the 六有 checklist, or FLAG_PROBLEMS or more open problem reports (needs with_flags)."""
    failing = Q()
    for f in CHECKLIST:
        failing |= Q(**{f: False})
    return failing | Q(open_problems__gte=FLAG_PROBLEMS)


def public_station_get(*, pk: Any) -> Station:
    try:
        return Station.objects.exclude(status=StationStatus.CLOSED).select_related("org").get(pk=int(pk))
    except (Station.DoesNotExist, ValueError, TypeError):
        raise Http404


def public_stations_in_bbox(*, min_lat: float, min_lng: float, max_lat: float, max_lng: float
                            ) -> QuerySet[Station]:
    return (Station.objects.exclude(status=StationStatus.CLOSED)
            .filter(lat__gte=Decimal(repr(min_lat)), lat__lte=Decimal(repr(max_lat)),
                    lng__gte=Decimal(repr(min_lng)), lng__lte=Decimal(repr(max_lng)))
            .order_by("id"))


def station_stats(*, qs: QuerySet[Station], at: dt.datetime | None = None, days: int = 14) -> dict:
    """Figures of a set of (already scoped) stations: counts, open now, 24-hour, amenities, visits, ratings."""
    at = at or timezone.now()
    live = qs.exclude(status=StationStatus.CLOSED)
    rows = list(live.select_related(None).prefetch_related("exceptions").only(
        "id", "status", "always_open", "weekly_hours", "amenity_bits"))
    open_now = sum(1 for s in rows if s.status == StationStatus.OPEN and rules.is_open(s.schedule(), at))
    by_amenity = {code: sum(1 for s in rows if s.amenity_bits & bit) for code, bit in AMENITY_BIT.items()}
    since = timezone.localdate() - dt.timedelta(days=days - 1)
    visit_rows = (Visit.objects.filter(station__in=qs, hour__date__gte=since).values_list("hour", flat=True))
    per_day: dict[dt.date, int] = {since + dt.timedelta(days=i): 0 for i in range(days)}
    for hour in visit_rows:
        day = timezone.localtime(hour).date()
        if day in per_day:
            per_day[day] += 1
    ratings = Rating.objects.filter(station__in=qs).aggregate(n=Count("id"), avg=Avg("stars"))
    return {
        "total": qs.count(),
        "active": len(rows),
        "open_now": open_now,
        "always_open": sum(1 for s in rows if s.always_open),
        "closed_temporarily": sum(1 for s in rows if s.status == StationStatus.CLOSED_TEMPORARILY),
        "by_amenity": by_amenity,
        "visits_per_day": per_day,
        "ratings": ratings["n"],
        "rating_avg": round(float(ratings["avg"]), 2) if ratings["avg"] is not None else None,
    }
