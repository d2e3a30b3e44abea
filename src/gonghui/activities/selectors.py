"""Reads of the activities app: staff reads are scoped to the actor's subtree(s), member reads to the member."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from gonghui.core.choices import READ_ROLES
from gonghui.core.scope import scope_filter
from gonghui.core.validators import normalize_text
from gonghui.orgs.models import Member

from . import rules
from .choices import ActivityStatus, AudienceType, SignupStatus
from .models import Activity, Photo, Signup

__all__ = [
    "activities_for_member",
    "activities_open_for_member",
    "activity_for_member_get",
    "activity_get",
    "activity_list",
    "activity_search_q",
    "activity_stats",
    "member_signup",
    "photo_get",
    "signup_get",
    "signup_list",
]

User = AbstractBaseUser | AnonymousUser

MEMBER_VISIBLE = (ActivityStatus.PUBLISHED, ActivityStatus.CLOSED, ActivityStatus.FINISHED,
                  ActivityStatus.CANCELLED)


def _count(status: str | None = None, attended: bool = False) -> Subquery:
    qs = Signup.objects.filter(activity=OuterRef("pk"))
    if status:
        qs = qs.filter(status=status)
    if attended:
        qs = qs.filter(checked_in_at__isnull=False)
    return Coalesce(Subquery(qs.values("activity").annotate(c=Count("pk")).values("c")[:1],
                             output_field=IntegerField()), Value(0))


def with_counts(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """Annotate confirmed / waitlisted / attended counts (one subquery each, no Python loop)."""
    return qs.annotate(
        confirmed_count=_count(SignupStatus.CONFIRMED),
        waitlist_count=_count(SignupStatus.WAITLISTED),
        attended_count=_count(attended=True),
    )


def activity_search_q(q: str) -> Q:
    """Theme or place by characters; theme by full pinyin or initials (cjjs → 重温抗战…)."""
    q = normalize_text(q).replace(" ", "")
    if not q:
        return Q()
    condition = Q(theme__icontains=q) | Q(place__icontains=q)
    if re.fullmatch(r"[A-Za-z]+", q):
        low = q.lower()
        condition |= Q(theme_pinyin__contains=low) | Q(theme_initials__contains=low)
    return condition


def activity_list(*, actor: User, roles=READ_ROLES) -> QuerySet[Activity]:
    return with_counts(scope_filter(Activity.objects.select_related("org"), actor, roles=roles)).order_by(
        "-starts_at", "-id")


def activity_get(*, actor: User, pk: Any, roles=READ_ROLES) -> Activity:
    try:
        return activity_list(actor=actor, roles=roles).get(pk=int(pk))
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404


def activity_stats(*, activity: Activity) -> dict[str, Any]:
    counts = dict(Signup.objects.filter(activity=activity).values_list("status").annotate(n=Count("pk")))
    attended = Signup.objects.filter(activity=activity, checked_in_at__isnull=False).count()
    confirmed = counts.get(SignupStatus.CONFIRMED, 0)
    free = None if activity.capacity is None else max(0, activity.capacity - confirmed)
    return {"confirmed": confirmed, "waitlisted": counts.get(SignupStatus.WAITLISTED, 0),
            "cancelled": counts.get(SignupStatus.CANCELLED, 0), "attended": attended, "free": free,
            "capacity": activity.capacity,
            "attendance_rate": round(attended * 100 / confirmed) if confirmed else None}


def _waitlist_position() -> Subquery:
    ahead = Signup.objects.filter(activity=OuterRef("activity"), status=SignupStatus.WAITLISTED,
                                  seq__lte=OuterRef("seq"))
    return Subquery(ahead.values("activity").annotate(c=Count("pk")).values("c")[:1], output_field=IntegerField())


def signup_list(*, activity: Activity, status: str | None = None) -> QuerySet[Signup]:
    """The activity's sign-ups in queue order; waitlisted rows carry `waitlist_position`."""
    qs = Signup.objects.filter(activity=activity).select_related("member", "member__org")
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(waitlist_position=_waitlist_position()).order_by("seq")


def signup_get(*, activity: Activity, pk: Any) -> Signup:
    try:
        return signup_list(activity=activity).get(pk=int(pk))
    except (Signup.DoesNotExist, ValueError, TypeError):
        raise Http404


def photo_get(*, activity: Activity, pk: Any) -> Photo:
    try:
        return activity.photos.get(pk=int(pk))
    except (Photo.DoesNotExist, ValueError, TypeError):
        raise Http404


# ---------------------------------------------------------------- member-facing reads


def activities_for_member(member: Member) -> QuerySet[Signup]:
    """What a member signed up for, newest first, with the waitlist position and attendance.

    Each row is a Signup with `activity` loaded and `waitlist_position` (None unless waitlisted).
    """
    return (
        Signup.objects.filter(member=member)
        .exclude(activity__status=ActivityStatus.DRAFT)
        .select_related("activity", "activity__org")
        .annotate(waitlist_position=_waitlist_position())
        .order_by("-activity__starts_at", "-id")
    )


def _eligible_q(member: Member) -> Q:
    paths = rules.ancestor_paths(member.org.path)
    return (
        (Q(audience_type=AudienceType.SUBTREE) & (Q(audience_org__path__in=paths)
                                                  | Q(audience_org__isnull=True, org__path__in=paths)))
        | Q(audience_type=AudienceType.UNITS, audience_units__path__in=paths)
    )


def activities_open_for_member(*, member: Member, now: dt.datetime | None = None) -> QuerySet[Activity]:
    """Published activities the member may join that have not started yet (soonest first)."""
    now = now or timezone.now()
    eligible = Activity.objects.filter(_eligible_q(member)).values("pk")
    return with_counts(
        Activity.objects.filter(pk__in=eligible, status=ActivityStatus.PUBLISHED, starts_at__gt=now)
        .select_related("org")
    ).order_by("starts_at", "id")


def activity_for_member_get(*, member: Member, pk: Any) -> Activity:
    """An activity the member may see: published or later, and either eligible or already signed up."""
    try:
        pk = int(pk)
    except (ValueError, TypeError):
        raise Http404
    visible = Activity.objects.filter(Q(pk__in=Activity.objects.filter(_eligible_q(member)).values("pk"))
                                      | Q(signups__member=member)).values("pk")
    activity = (
        with_counts(Activity.objects.filter(pk=pk, pk__in=visible, status__in=MEMBER_VISIBLE)
                    .select_related("org")).first()
    )
    if activity is None:
        raise Http404
    return activity


def member_signup(*, activity: Activity, member: Member) -> Signup | None:
    return signup_list(activity=activity).filter(member=member).first()
