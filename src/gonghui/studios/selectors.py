"""Reads of the studios app, always scoped to the actor.

Who sees what:
- admin/staff/viewer roles see studios, topics, achievements, lectures, trainings and mentorships of
  studios hosted in their subtree, and alliances hosted there or with a member studio there;
- a studio's leader and team members (users linked to a member) see their studios, their alliances,
  the topics of their studios, the alliance's shared achievements and their mentorships;
- judges (评审专家) see the alliances hosted in their subtree and those alliances' topics once submitted;
- workers see lectures of their union or any union above it, and of alliances they belong to.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from gonghui.core.choices import READ_ROLES, Role
from gonghui.core.scope import scope_paths
from gonghui.core.validators import normalize_text

from . import rules
from .choices import AchievementKind, MentorshipStatus, StudioStatus, TopicStatus
from .models import (
    Achievement,
    AchievementApplication,
    Alliance,
    AllianceMembership,
    Lecture,
    Mentorship,
    Studio,
    StudioCheck,
    Topic,
    TopicTeamMember,
    TrainingCourse,
)
from .services import actor_member, actor_studio_ids, studio_result_counts

__all__ = [
    "achievement_list",
    "achievement_search_q",
    "alliance_get",
    "alliance_list",
    "alliance_report",
    "check_list",
    "lecture_get",
    "lecture_list",
    "mentorship_list",
    "name_search_q",
    "studio_get",
    "studio_list",
    "studio_report",
    "topic_get",
    "topic_list",
    "training_list",
]

User = AbstractBaseUser | AnonymousUser


def _prefix_q(paths: list[str], field: str) -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def _get(qs: QuerySet, pk: Any):
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def name_search_q(q: str, *, field: str = "name") -> Q:
    """Search a name or title by its characters, full pinyin or pinyin initials."""
    q = normalize_text(q).replace(" ", "")
    if not q:
        return Q()
    condition = Q(**{f"{field}__icontains": q})
    if re.fullmatch(r"[A-Za-z]+", q):
        low = q.lower()
        condition |= Q(**{f"{field}_pinyin__contains": low}) | Q(**{f"{field}_initials__startswith": low})
    return condition


def achievement_search_q(q: str) -> Q:
    condition = name_search_q(q, field="title")
    text = normalize_text(q)
    if text:
        condition |= Q(patent_number__icontains=text) | Q(studio__name__icontains=text)
    return condition


# ---------------------------------------------------------------- studios


def studio_list(*, actor: User) -> QuerySet[Studio]:
    qs = Studio.objects.select_related("org", "leader")
    paths = scope_paths(actor, READ_ROLES)
    if paths is None:
        return qs
    return qs.filter(_prefix_q(paths, "org__path") | Q(pk__in=actor_studio_ids(actor)))


def studio_get(*, actor: User, pk: Any) -> Studio:
    return _get(studio_list(actor=actor), pk)


# ---------------------------------------------------------------- alliances


def alliance_list(*, actor: User) -> QuerySet[Alliance]:
    qs = Alliance.objects.select_related("host_org", "lead_studio")
    paths = scope_paths(actor, READ_ROLES)
    if paths is None:
        return qs
    judge_paths = scope_paths(actor, (Role.JUDGE,)) or []
    member_alliances = AllianceMembership.objects.filter(left_on__isnull=True).filter(
        _prefix_q(paths, "studio__org__path") | Q(studio_id__in=actor_studio_ids(actor))
    ).values("alliance_id")
    return qs.filter(_prefix_q(paths + judge_paths, "host_org__path") | Q(pk__in=member_alliances))


def alliance_get(*, actor: User, pk: Any) -> Alliance:
    return _get(alliance_list(actor=actor), pk)


# ---------------------------------------------------------------- topics


def topic_list(*, actor: User) -> QuerySet[Topic]:
    qs = Topic.objects.select_related("studio__org", "alliance__host_org")
    paths = scope_paths(actor, READ_ROLES)
    if paths is None:
        return qs
    condition = _prefix_q(paths, "studio__org__path") | _prefix_q(paths, "alliance__host_org__path")
    judge_paths = scope_paths(actor, (Role.JUDGE,)) or []
    if judge_paths:
        condition |= ~Q(status=TopicStatus.DRAFT) & (
            _prefix_q(judge_paths, "alliance__host_org__path")
            | (Q(alliance__isnull=True) & _prefix_q(judge_paths, "studio__org__path")))
    own = actor_studio_ids(actor)
    if own:
        condition |= Q(studio_id__in=own) | Q(pk__in=TopicTeamMember.objects.filter(studio_id__in=own)
                                              .values("topic_id"))
    return qs.filter(condition)


def topic_get(*, actor: User, pk: Any) -> Topic:
    return _get(topic_list(actor=actor), pk)


# ---------------------------------------------------------------- achievements, talent


def achievement_list(*, actor: User) -> QuerySet[Achievement]:
    """The catalogue: the actor's studios' results plus everything shared with their alliances."""
    qs = Achievement.objects.select_related("studio__org", "alliance", "topic")
    paths = scope_paths(actor, READ_ROLES)
    if paths is None:
        return qs
    alliances = alliance_list(actor=actor).values("pk")
    return qs.filter(_prefix_q(paths, "studio__org__path") | Q(studio_id__in=actor_studio_ids(actor))
                     | Q(alliance_id__in=alliances))


def _member_ancestor_paths(actor: User) -> list[str]:
    member = actor_member(actor)
    if member is None:
        return []
    path = member.org.path
    step = 4
    return [path[:i] for i in range(step, len(path) + 1, step)]


def lecture_list(*, actor: User) -> QuerySet[Lecture]:
    qs = Lecture.objects.select_related("org", "alliance", "studio").annotate(
        signup_count=Count("signups", distinct=True))
    paths = scope_paths(actor, READ_ROLES)
    if paths is None:
        return qs
    alliances = alliance_list(actor=actor).values("pk")
    return qs.filter(_prefix_q(paths, "org__path") | Q(org__path__in=_member_ancestor_paths(actor))
                     | Q(alliance_id__in=alliances))


def lecture_get(*, actor: User, pk: Any) -> Lecture:
    return _get(lecture_list(actor=actor), pk)


def training_list(*, actor: User) -> QuerySet[TrainingCourse]:
    qs = TrainingCourse.objects.select_related("org", "alliance", "studio")
    paths = scope_paths(actor, READ_ROLES)
    if paths is None:
        return qs
    alliances = alliance_list(actor=actor).values("pk")
    return qs.filter(_prefix_q(paths, "org__path") | Q(alliance_id__in=alliances)
                     | Q(studio_id__in=actor_studio_ids(actor)))


def mentorship_list(*, actor: User) -> QuerySet[Mentorship]:
    qs = Mentorship.objects.select_related("studio__org", "mentor", "apprentice")
    paths = scope_paths(actor, READ_ROLES)
    if paths is None:
        return qs
    member = actor_member(actor)
    condition = _prefix_q(paths, "studio__org__path") | Q(studio_id__in=actor_studio_ids(actor))
    if member is not None:
        condition |= Q(mentor=member) | Q(apprentice=member)
    return qs.filter(condition)


# ---------------------------------------------------------------- reports


def _topic_counts(topics: QuerySet[Topic]) -> dict[str, int]:
    counts = Counter(topics.values_list("status", flat=True))
    return {status: counts.get(status, 0) for status in TopicStatus.values}


def _achievement_summary(items: QuerySet[Achievement], year: int) -> dict[str, Any]:
    by_kind = Counter(items.values_list("kind", flat=True))
    money = items.aggregate(y=Sum("yuan_saved"), h=Sum("hours_saved"))
    applied = AchievementApplication.objects.filter(achievement__in=items.values("pk"), applied_on__year=year)
    applied_money = applied.aggregate(y=Sum("yuan_saved"), h=Sum("hours_saved"))
    return {
        "by_kind": {k: by_kind.get(k, 0) for k in AchievementKind.values},
        "total": sum(by_kind.values()),
        "yuan_saved": (money["y"] or Decimal(0)) + (applied_money["y"] or Decimal(0)),
        "hours_saved": (money["h"] or Decimal(0)) + (applied_money["h"] or Decimal(0)),
        "applications": applied.count(),
    }


def _talent_summary(*, trainings: QuerySet[TrainingCourse], mentorships: QuerySet[Mentorship],
                    lectures: QuerySet[Lecture], year: int) -> dict[str, Any]:
    t = trainings.filter(starts_on__year=year)
    agg = t.aggregate(trainees=Sum("trainees"), hours=Sum("hours"))
    m = mentorships.filter(started_on__year__lte=year).exclude(ended_on__year__lt=year)
    lec = lectures.filter(starts_at__year=year)
    return {
        "trainings": t.count(), "trainees": agg["trainees"] or 0, "training_hours": agg["hours"] or Decimal(0),
        "mentorships": m.count(),
        "mentorships_completed": m.filter(status=MentorshipStatus.COMPLETED, ended_on__year=year).count(),
        "lectures": lec.count(),
        "lecture_attendance": sum(x.signups.filter(attended_at__isnull=False).count() for x in lec),
    }


def studio_report(*, studio: Studio, year: int) -> dict[str, Any]:
    """One studio's year: its topics by status, results, trainings and mentorships."""
    topics = Topic.objects.filter(Q(studio=studio) | Q(pk__in=TopicTeamMember.objects.filter(studio=studio)
                                                      .values("topic_id"))).filter(created_at__year__lte=year)
    achievements = Achievement.objects.filter(studio=studio, achieved_on__year=year)
    return {
        "studio": studio, "year": year,
        "topics": _topic_counts(topics),
        "achievements": _achievement_summary(achievements, year),
        "talent": _talent_summary(trainings=TrainingCourse.objects.filter(studio=studio),
                                  mentorships=Mentorship.objects.filter(studio=studio),
                                  lectures=Lecture.objects.filter(studio=studio), year=year),
    }


def joint_projects(*, alliance: Alliance, year: int) -> int:
    """Topics of the alliance in the year whose team spans two or more studios (approved or later)."""
    started = [TopicStatus.APPROVED, TopicStatus.MIDTERM_PASSED, TopicStatus.ACCEPTED, TopicStatus.FAILED]
    n = 0
    for topic in alliance.topics.filter(status__in=started, decided_at__year=year):
        studios = {topic.studio_id, *topic.team.values_list("studio_id", flat=True)}
        if len(studios) >= 2:
            n += 1
    return n


def alliance_report(*, alliance: Alliance, year: int) -> dict[str, Any]:
    """An alliance's year: topics by status, results shared, talent work, joint projects, and one row
    per member studio; a warning when the joint projects fall short of the alliance's target."""
    members = list(alliance.memberships.select_related("studio").filter(
        Q(left_on__isnull=True) | Q(left_on__year__gte=year), joined_on__year__lte=year))
    studio_ids = [m.studio_id for m in members]
    topics = alliance.topics.filter(created_at__year__lte=year)
    achievements = Achievement.objects.filter(Q(alliance=alliance) | Q(topic__alliance=alliance),
                                              achieved_on__year=year)
    joint = joint_projects(alliance=alliance, year=year)
    rows = []
    for m in members:
        r = studio_report(studio=m.studio, year=year)
        rows.append({"studio": m.studio, "topics": sum(r["topics"].values()),
                     "achievements": r["achievements"]["total"], "yuan_saved": r["achievements"]["yuan_saved"],
                     "trainings": r["talent"]["trainings"], "mentorships": r["talent"]["mentorships"]})
    warnings = []
    if joint < alliance.expected_joint_projects:
        warnings.append(f"joint_projects:{joint}<{alliance.expected_joint_projects}")
    return {
        "alliance": alliance, "year": year, "member_count": len(studio_ids),
        "topics": _topic_counts(topics),
        "achievements": _achievement_summary(achievements, year),
        "talent": _talent_summary(trainings=TrainingCourse.objects.filter(alliance=alliance),
                                  mentorships=Mentorship.objects.filter(studio_id__in=studio_ids),
                                  lectures=Lecture.objects.filter(alliance=alliance), year=year),
        "joint_projects": joint, "joint_short": joint < alliance.expected_joint_projects,
        "warnings": warnings, "rows": rows,
    }


def check_list(*, actor: User, year: int) -> list[dict[str, Any]]:
    """The yearly check list for recognition: every named or warned studio in scope with its results in
    the year, what the check would decide (or has decided)."""
    studios = list(studio_list(actor=actor).filter(
        Q(status__in=[StudioStatus.NAMED, StudioStatus.WARNED], recognized_on__lte=dt.date(year, 12, 31))
        | Q(checks__year=year)).distinct()
        .order_by("name_pinyin", "id"))
    counts = studio_result_counts(year=year, studio_ids=[s.pk for s in studios])
    done = {c.studio_id: c for c in StudioCheck.objects.filter(year=year, studio__in=studios)}
    rows = []
    for s in studios:
        check = done.get(s.pk)
        n = check.result_count if check else counts.get(s.pk, 0)
        if check is not None:
            outcome, status_after = check.outcome, check.status_after
        else:
            planned = rules.check_outcome(s.status, n)
            if planned is None:
                continue
            outcome, status_after = planned
        rows.append({"studio": s, "results": n, "outcome": outcome, "status_after": status_after,
                     "checked": check is not None})
    return rows
