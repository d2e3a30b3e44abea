"""Writes of the studios app: one function per domain action, atomic and audited.

Who may do what (checked here, not in views):
- studio host-union staff (admin/staff on the studio's organisation or above) manage the studio, its
  team, achievements and mentorships; the studio's leader (the user linked to the leader member) may
  too, and applies for topics of the studio;
- a topic is submitted by its studio's leader or the studio's host-union staff;
- reviews come from judges (评审专家: role judge) or staff on the alliance's host union or above — never
  from someone in the topic's own studios;
- approval, rejection, mid-term inspection, acceptance and failure are decided by admin/staff of the
  alliance's host union or above (the studio's host union when the topic has no alliance);
- alliances (charter, members, lead studio, officers, agreements, rules) are managed by the host
  union's admin/staff;
- recognition: the application comes from the studio side, the recommendation from staff of a union
  strictly above the studio's host union, the review from judges or staff of the batch's union, the
  decision, public notice and naming from admin/staff of the batch's union.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.core.audit import audit, snapshot
from gonghui.core.choices import WRITE_ROLES, Role
from gonghui.core.errors import ConflictError, DomainError, NotFound, PermissionDeniedError
from gonghui.core.pinyin import name_pinyin
from gonghui.core.scope import has_role_on
from gonghui.core.validators import normalize_text
from gonghui.orgs.models import Member, Organisation
from gonghui.orgs.selectors import member_by_card_token

from . import rules
from .choices import (
    AchievementKind,
    AllianceType,
    ApplicationStep,
    BatchStatus,
    Honour,
    MentorshipStatus,
    PatentType,
    StudioLevel,
    StudioStatus,
    TopicStatus,
    WorkArea,
)
from .models import (
    Achievement,
    AchievementApplication,
    Agreement,
    Alliance,
    AllianceMembership,
    AllianceOfficer,
    CharterVersion,
    Lecture,
    LectureSignup,
    Mentorship,
    MentorshipNote,
    RecognitionApplication,
    RecognitionBatch,
    Studio,
    StudioCheck,
    StudioMember,
    Topic,
    TopicEvent,
    TopicReview,
    TopicTeamMember,
    TrainingCourse,
)

__all__ = [
    "REVIEW_ROLES",
    "achievement_apply",
    "achievement_create",
    "actor_member",
    "actor_studio_ids",
    "agreement_sign",
    "alliance_create",
    "alliance_join",
    "alliance_leave",
    "alliance_replace",
    "alliance_set_lead",
    "alliance_update",
    "application_decide",
    "application_recommend",
    "application_review",
    "application_submit",
    "batch_create",
    "batch_name",
    "batch_publish_notice",
    "can_decide_topic",
    "can_manage_studio",
    "can_review_topic",
    "charter_add_version",
    "lecture_checkin",
    "lecture_create",
    "lecture_signup",
    "mentorship_complete",
    "mentorship_create",
    "mentorship_note_add",
    "officer_appoint",
    "results_check_run",
    "studio_create",
    "studio_member_add",
    "studio_member_remove",
    "studio_update",
    "topic_accept",
    "topic_approve",
    "topic_create",
    "topic_fail",
    "topic_midterm",
    "topic_reject",
    "topic_review",
    "topic_submit",
    "topic_update",
    "training_create",
]

REVIEW_ROLES = (Role.JUDGE, Role.ADMIN, Role.STAFF)
STUDIO_FIELDS = ["org", "name", "leader", "leader_honour", "leader_title", "level", "recognized_on",
                 "specialties", "venue", "equipment", "rules", "funding", "status", "status_changed_on"]
TOPIC_FIELDS = ["title", "work_area", "plan", "budget", "approved_budget", "starts_on", "ends_on", "status",
                "alliance", "studio"]


# ---------------------------------------------------------------- helpers


def _require(actor: AbstractBaseUser, org: Organisation, roles: Sequence[str] = WRITE_ROLES) -> None:
    """Write roles on `org` (or above): outside every subtree the actor reaches → 404, else 403."""
    if has_role_on(actor, org, roles):
        return
    if not has_role_on(actor, org, tuple(Role)):
        raise NotFound("not_found", _("未找到"))
    raise PermissionDeniedError("permission_denied", _("您没有执行此操作的权限"))


def actor_member(actor: AbstractBaseUser | None) -> Member | None:
    """The member record linked to the user's login (a worker or studio leader), if any."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    cached = getattr(actor, "_studios_member", False)
    if cached is False:
        cached = Member.objects.filter(user=actor).first()
        actor._studios_member = cached
    return cached


def actor_studio_ids(actor: AbstractBaseUser | None) -> set[int]:
    """Studios the user belongs to: led by, or on the active team of, the user's member."""
    member = actor_member(actor)
    if member is None:
        return set()
    led = set(Studio.objects.filter(leader=member).values_list("id", flat=True))
    team = set(StudioMember.objects.filter(member=member, left_on__isnull=True).values_list("studio_id", flat=True))
    return led | team


def can_manage_studio(actor: AbstractBaseUser, studio: Studio) -> bool:
    member = actor_member(actor)
    return has_role_on(actor, studio.org, WRITE_ROLES) or (member is not None and studio.leader_id == member.pk)


def _require_studio(actor: AbstractBaseUser, studio: Studio) -> None:
    if can_manage_studio(actor, studio):
        return
    if studio.pk in actor_studio_ids(actor) or has_role_on(actor, studio.org, tuple(Role)):
        raise PermissionDeniedError("permission_denied", _("只有工作室领衔人或所在工会工作人员可以执行此操作"))
    raise NotFound("not_found", _("未找到该工作室"))


def _topic_org(topic: Topic) -> Organisation:
    """The union that reviews and decides a topic: the alliance's host, else the studio's host union."""
    return topic.alliance.host_org if topic.alliance_id else topic.studio.org


def can_review_topic(actor: AbstractBaseUser, topic: Topic) -> bool:
    return has_role_on(actor, _topic_org(topic), REVIEW_ROLES)


def can_decide_topic(actor: AbstractBaseUser, topic: Topic) -> bool:
    return has_role_on(actor, _topic_org(topic), WRITE_ROLES)


def topic_studio_ids(topic: Topic) -> set[int]:
    ids = {topic.studio_id}
    ids.update(TopicTeamMember.objects.filter(topic=topic).values_list("studio_id", flat=True))
    return ids


def _decimal(value: Any, field: str, *, minimum: Decimal | None = Decimal(0)) -> Decimal:
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("请输入数字")]}) from None
    if not number.is_finite():
        raise ValidationError({field: [_("请输入数字")]})
    if minimum is not None and number < minimum:
        raise ValidationError({field: [_("不能小于{m}").format(m=minimum)]})
    return number


def _choice(value: str, choices, field: str, label: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: [_("未知的{label}：{v}").format(label=label, v=value)]})
    return value


def _active_member(member: Member, field: str = "member") -> None:
    if member.status != "active":
        raise ValidationError({field: [_("{n}不是在册会员").format(n=member.name)]})


def _save(obj, *, exclude: Iterable[str] = (), conflict_code: str = "duplicate", conflict_message: str = ""):
    """full_clean then save; a constraint race becomes a ConflictError."""
    obj.full_clean(exclude=list(exclude))
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise ConflictError(conflict_code, conflict_message or _("数据已存在或与其他记录冲突")) from None
    return obj


def _text(value: object) -> str:
    """Trim and collapse whitespace; keep full-width punctuation of Chinese titles (（试行）, 《》)."""
    return " ".join(str(value or "").split())


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- studios (S1)


@transaction.atomic
def studio_create(
    *,
    actor: AbstractBaseUser,
    org: Organisation,
    name: str,
    leader: Member,
    leader_honour: str,
    level: str,
    leader_title: str = "",
    recognized_on: dt.date | None = None,
    specialties: str = "",
    venue: str = "",
    equipment: str = "",
    rules_text: str = "",
    funding: Decimal | str = Decimal(0),
) -> Studio:
    """Register a studio; with a recognition date it is registered as already named."""
    _require(actor, org)
    _choice(leader_honour, Honour, "leader_honour", _("荣誉"))
    _choice(level, StudioLevel, "level", _("级别"))
    _active_member(leader, "leader")
    name = _text(name)
    if not name:
        raise ValidationError({"name": [_("工作室名称不能为空")]})
    studio = Studio(
        org=org, name=name, leader=leader, leader_honour=leader_honour, leader_title=_text(leader_title),
        level=level, recognized_on=recognized_on, specialties=_text(specialties),
        venue=_text(venue), equipment=equipment, rules=rules_text,
        funding=_decimal(funding, "funding"),
        status=StudioStatus.NAMED if recognized_on else StudioStatus.PENDING,
        status_changed_on=recognized_on,
    )
    studio.name_pinyin, studio.name_initials = name_pinyin(name)
    _save(studio, conflict_code="duplicate_studio", conflict_message=_("该单位已有同名工作室"))
    audit(actor=actor, action="studio.create", org=org, target=studio, after=snapshot(studio, STUDIO_FIELDS))
    return studio


@transaction.atomic
def studio_update(*, actor: AbstractBaseUser, studio: Studio, **changes: Any) -> Studio:
    """Edit a studio's descriptive fields (not its status: that is the check's and the batch's)."""
    studio = Studio.objects.select_for_update().get(pk=studio.pk)
    _require_studio(actor, studio)
    allowed = {"name", "leader_title", "specialties", "venue", "equipment", "rules", "funding", "leader",
               "leader_honour"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({k: [_("该字段不可修改")] for k in unknown})
    before = snapshot(studio, STUDIO_FIELDS)
    for key, value in changes.items():
        if key == "funding":
            value = _decimal(value, "funding")
        elif key == "leader_honour":
            _choice(value, Honour, "leader_honour", _("荣誉"))
        elif key == "leader":
            _active_member(value, "leader")
        elif isinstance(value, str) and key not in ("equipment", "rules"):
            value = _text(value)
        setattr(studio, key, value)
    studio.name_pinyin, studio.name_initials = name_pinyin(studio.name)
    _save(studio, conflict_code="duplicate_studio", conflict_message=_("该单位已有同名工作室"))
    audit(actor=actor, action="studio.update", org=studio.org, target=studio, before=before,
          after=snapshot(studio, STUDIO_FIELDS))
    return studio


@transaction.atomic
def studio_member_add(*, actor: AbstractBaseUser, studio: Studio, member: Member, role: str = "",
                      joined_on: dt.date | None = None) -> StudioMember:
    _require_studio(actor, studio)
    _active_member(member)
    if StudioMember.objects.filter(studio=studio, member=member, left_on__isnull=True).exists():
        raise ConflictError("already_in_team", _("{n}已是本工作室成员").format(n=member.name))
    row = StudioMember(studio=studio, member=member, role=_text(role), joined_on=joined_on or _today())
    _save(row, conflict_code="already_in_team", conflict_message=_("该会员已是本工作室成员"))
    audit(actor=actor, action="studio.member_add", org=studio.org, target=studio,
          after={"member": member.pk, "role": row.role})
    return row


@transaction.atomic
def studio_member_remove(*, actor: AbstractBaseUser, row: StudioMember, left_on: dt.date | None = None
                         ) -> StudioMember:
    row = StudioMember.objects.select_for_update().select_related("studio__org").get(pk=row.pk)
    _require_studio(actor, row.studio)
    if row.left_on is not None:
        raise ConflictError("already_left", _("该成员已退出工作室"))
    row.left_on = left_on or _today()
    if row.left_on < row.joined_on:
        raise ValidationError({"left_on": [_("退出日期不能早于加入日期")]})
    row.save(update_fields=["left_on"])
    audit(actor=actor, action="studio.member_remove", org=row.studio.org, target=row.studio,
          after={"member": row.member_id, "left_on": row.left_on})
    return row


# ---------------------------------------------------------------- recognition (S2)


def _lock_application(application: RecognitionApplication) -> RecognitionApplication:
    return (RecognitionApplication.objects.select_for_update()
            .select_related("batch__org", "studio__org").get(pk=application.pk))


def _app_step(application: RecognitionApplication, expected: str) -> None:
    if application.step != expected:
        raise ConflictError("invalid_step", _("当前环节为“{s}”，不能执行此操作").format(
            s=application.get_step_display()))


@transaction.atomic
def batch_create(*, actor: AbstractBaseUser, org: Organisation, year: int, level: str, title: str
                 ) -> RecognitionBatch:
    _require(actor, org)
    _choice(level, StudioLevel, "level", _("级别"))
    batch = RecognitionBatch(org=org, year=int(year), level=level, title=_text(title))
    _save(batch, conflict_code="duplicate_batch", conflict_message=_("该单位本年度已有该级别的命名批次"))
    audit(actor=actor, action="studio.batch_create", org=org, target=batch, after=snapshot(batch))
    return batch


@transaction.atomic
def application_submit(*, actor: AbstractBaseUser, batch: RecognitionBatch, studio: Studio, materials: str = ""
                       ) -> RecognitionApplication:
    """Step 1, application (申报): by the studio's leader or its host-union staff, in an open batch."""
    batch = RecognitionBatch.objects.select_for_update().select_related("org").get(pk=batch.pk)
    _require_studio(actor, studio)
    if batch.status != BatchStatus.OPEN:
        raise ConflictError("batch_closed", _("该批次已截止申报"))
    if not studio.org.path.startswith(batch.org.path):
        raise ValidationError({"studio": [_("该工作室不在本批次组织单位范围内")]})
    if studio.status == StudioStatus.REVOKED:
        raise ConflictError("studio_revoked", _("已摘牌的工作室不能申报"))
    if RecognitionApplication.objects.filter(batch=batch, studio=studio).exists():
        raise ConflictError("already_applied", _("该工作室已在本批次申报"))
    app = RecognitionApplication(batch=batch, studio=studio, materials=materials)
    _save(app, conflict_code="already_applied", conflict_message=_("该工作室已在本批次申报"))
    audit(actor=actor, action="studio.apply", org=studio.org, target=app, after=snapshot(app))
    return app


@transaction.atomic
def application_recommend(*, actor: AbstractBaseUser, application: RecognitionApplication, opinion: str = ""
                          ) -> RecognitionApplication:
    """Step 2, recommendation by a union strictly above the studio's host union."""
    app = _lock_application(application)
    parent = Organisation.objects.get_parent(app.studio.org)
    if parent is None or not has_role_on(actor, parent, WRITE_ROLES):
        raise PermissionDeniedError("not_higher_union", _("须由工作室所在工会的上级工会推荐"))
    _app_step(app, ApplicationStep.APPLIED)
    app.step, app.recommended_by, app.recommended_at = ApplicationStep.RECOMMENDED, actor, timezone.now()
    app.recommendation = opinion
    app.save()
    audit(actor=actor, action="studio.recommend", org=app.studio.org, target=app, after={"step": app.step})
    return app


@transaction.atomic
def application_review(*, actor: AbstractBaseUser, application: RecognitionApplication, score: Any,
                       opinion: str = "") -> RecognitionApplication:
    """Step 3, expert review with a score (judges or staff of the batch's union)."""
    app = _lock_application(application)
    _require(actor, app.batch.org, REVIEW_ROLES)
    _app_step(app, ApplicationStep.RECOMMENDED)
    try:
        app.review_score = rules.parse_score(score)
    except ValueError:
        raise ValidationError({"score": [_("评分须为0到100之间的数，最多两位小数")]}) from None
    app.step, app.reviewed_by, app.reviewed_at, app.review_opinion = (
        ApplicationStep.REVIEWED, actor, timezone.now(), opinion)
    app.save()
    audit(actor=actor, action="studio.review", org=app.studio.org, target=app,
          after={"step": app.step, "score": app.review_score})
    return app


@transaction.atomic
def application_decide(*, actor: AbstractBaseUser, application: RecognitionApplication, approve: bool,
                       note: str = "") -> RecognitionApplication:
    """Step 4, decision by the batch's union."""
    app = _lock_application(application)
    _require(actor, app.batch.org)
    _app_step(app, ApplicationStep.REVIEWED)
    app.step = ApplicationStep.APPROVED if approve else ApplicationStep.REJECTED
    app.decided_by, app.decided_at, app.decision_note = actor, timezone.now(), note
    app.save()
    audit(actor=actor, action="studio.decide", org=app.studio.org, target=app, after={"step": app.step})
    return app


@transaction.atomic
def batch_publish_notice(*, actor: AbstractBaseUser, batch: RecognitionBatch, start: dt.date, days: int = 5
                         ) -> RecognitionBatch:
    """Step 5, public notice (公示) of the approved studios for `days` days from `start`."""
    batch = RecognitionBatch.objects.select_for_update().select_related("org").get(pk=batch.pk)
    _require(actor, batch.org)
    if batch.status != BatchStatus.OPEN:
        raise ConflictError("invalid_step", _("该批次不在申报阶段，不能公示"))
    if days < 1:
        raise ValidationError({"days": [_("公示期至少1天")]})
    open_steps = [ApplicationStep.APPLIED, ApplicationStep.RECOMMENDED, ApplicationStep.REVIEWED]
    pending = batch.applications.filter(step__in=open_steps).count()
    if pending:
        raise ConflictError("undecided_applications", _("还有{n}份申报未作出决定").format(n=pending))
    if not batch.applications.filter(step=ApplicationStep.APPROVED).exists():
        raise ConflictError("nothing_to_publish", _("没有决定命名的工作室，无需公示"))
    batch.applications.filter(step=ApplicationStep.APPROVED).update(step=ApplicationStep.NOTICE)
    batch.status, batch.notice_start = BatchStatus.NOTICE, start
    batch.notice_end = start + dt.timedelta(days=days - 1)
    batch.save()
    audit(actor=actor, action="studio.batch_notice", org=batch.org, target=batch,
          after={"notice_start": batch.notice_start, "notice_end": batch.notice_end})
    return batch


@transaction.atomic
def batch_name(*, actor: AbstractBaseUser, batch: RecognitionBatch, on: dt.date | None = None) -> RecognitionBatch:
    """Step 6, naming (命名) after the notice period: the studios get the batch's level."""
    batch = RecognitionBatch.objects.select_for_update().select_related("org").get(pk=batch.pk)
    _require(actor, batch.org)
    on = on or _today()
    if batch.status != BatchStatus.NOTICE:
        raise ConflictError("invalid_step", _("该批次尚未公示，不能命名"))
    if on <= batch.notice_end:
        raise ConflictError("notice_not_over", _("公示期至{d}结束，期满后方可命名").format(d=batch.notice_end))
    now = timezone.now()
    for app in batch.applications.select_for_update().select_related("studio").filter(step=ApplicationStep.NOTICE):
        studio = app.studio
        before = snapshot(studio, STUDIO_FIELDS)
        studio.level, studio.recognized_on = batch.level, on
        studio.status, studio.status_changed_on = StudioStatus.NAMED, on
        studio.save()
        app.step, app.named_at = ApplicationStep.NAMED, now
        app.save()
        audit(actor=actor, action="studio.named", org=studio.org, target=studio, before=before,
              after=snapshot(studio, STUDIO_FIELDS))
    batch.status, batch.named_on = BatchStatus.CLOSED, on
    batch.save()
    audit(actor=actor, action="studio.batch_name", org=batch.org, target=batch, after={"named_on": on})
    return batch


def studio_result_counts(*, year: int, studio_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Results (achievements of any kind) per studio in the calendar year."""
    qs = Achievement.objects.filter(achieved_on__year=year)
    if studio_ids is not None:
        qs = qs.filter(studio_id__in=list(studio_ids))
    counts: dict[int, int] = {}
    for sid in qs.values_list("studio_id", flat=True):
        counts[sid] = counts.get(sid, 0) + 1
    return counts


@transaction.atomic
def results_check_run(*, actor: AbstractBaseUser | None, year: int, within: Organisation | None = None
                      ) -> list[StudioCheck]:
    """The yearly results check (S2); idempotent: a studio already checked for `year` is left alone.

    Studios named on or before the year's end are checked: no result → warned; warned and still none
    → revoked (摘牌); warned with a result → named again.
    """
    if actor is not None and within is not None:
        _require(actor, within)
    elif actor is not None and not actor.is_superuser:
        raise PermissionDeniedError("permission_denied", _("请选择要考核的组织范围"))
    studios = Studio.objects.select_for_update().filter(
        status__in=[StudioStatus.NAMED, StudioStatus.WARNED], recognized_on__lte=dt.date(year, 12, 31),
    ).exclude(checks__year=year).select_related("org")
    if within is not None:
        studios = studios.filter(org__path__startswith=within.path)
    studios = list(studios.order_by("id"))
    counts = studio_result_counts(year=year, studio_ids=[s.pk for s in studios])
    done = []
    for studio in studios:
        n = counts.get(studio.pk, 0)
        outcome = rules.check_outcome(studio.status, n)
        if outcome is None:
            continue
        code, new_status = outcome
        check = StudioCheck.objects.create(studio=studio, year=year, result_count=n, outcome=code,
                                           status_before=studio.status, status_after=new_status,
                                           actor=actor if getattr(actor, "is_authenticated", False) else None)
        if new_status != studio.status:
            studio.status, studio.status_changed_on = new_status, dt.date(year + 1, 1, 1)
            studio.save(update_fields=["status", "status_changed_on"])
        audit(actor=actor, action=f"studio.check_{code}", org=studio.org, target=studio,
              after={"year": year, "results": n, "status": new_status})
        done.append(check)
    return done


# ---------------------------------------------------------------- alliances (S3)


def _lock_alliance(alliance: Alliance) -> Alliance:
    return Alliance.objects.select_for_update().select_related("host_org").get(pk=alliance.pk)


@transaction.atomic
def alliance_create(
    *, actor: AbstractBaseUser, host_org: Organisation, name: str, type: str, founded_on: dt.date | None = None,
    description: str = "", required_reviews: int = 3, approval_line: Decimal | str = Decimal(75),
    expected_joint_projects: int = 1,
) -> Alliance:
    _require(actor, host_org)
    _choice(type, AllianceType, "type", _("联盟类型"))
    name = _text(name)
    if not name:
        raise ValidationError({"name": [_("联盟名称不能为空")]})
    alliance = Alliance(host_org=host_org, name=name, type=type, founded_on=founded_on, description=description,
                        required_reviews=int(required_reviews),
                        approval_line=_decimal(approval_line, "approval_line"),
                        expected_joint_projects=int(expected_joint_projects))
    alliance.name_pinyin, alliance.name_initials = name_pinyin(name)
    _save(alliance, conflict_code="duplicate_alliance", conflict_message=_("同名联盟已存在"))
    audit(actor=actor, action="alliance.create", org=host_org, target=alliance, after=snapshot(alliance))
    return alliance


@transaction.atomic
def alliance_update(*, actor: AbstractBaseUser, alliance: Alliance, **changes: Any) -> Alliance:
    """Edit an alliance, including its review rules (required reviews, approval line)."""
    alliance = _lock_alliance(alliance)
    _require(actor, alliance.host_org)
    allowed = {"name", "type", "founded_on", "description", "required_reviews", "approval_line",
               "expected_joint_projects"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({k: [_("该字段不可修改")] for k in unknown})
    before = snapshot(alliance)
    for key, value in changes.items():
        if key == "approval_line":
            value = _decimal(value, key)
        elif key == "type":
            _choice(value, AllianceType, "type", _("联盟类型"))
        setattr(alliance, key, value)
    alliance.name_pinyin, alliance.name_initials = name_pinyin(alliance.name)
    _save(alliance, conflict_code="duplicate_alliance", conflict_message=_("同名联盟已存在"))
    audit(actor=actor, action="alliance.update", org=alliance.host_org, target=alliance, before=before,
          after=snapshot(alliance))
    return alliance


@transaction.atomic
def charter_add_version(*, actor: AbstractBaseUser, alliance: Alliance, title: str, text: str,
                        approved_by: str = "", approved_on: dt.date | None = None, attachment=None
                        ) -> CharterVersion:
    """Record a new version of the charter (numbered after the last one); earlier versions stay."""
    alliance = _lock_alliance(alliance)
    _require(actor, alliance.host_org)
    if not _text(text):
        raise ValidationError({"text": [_("章程正文不能为空")]})
    last = alliance.charters.aggregate(v=Max("version"))["v"] or 0
    charter = CharterVersion(alliance=alliance, version=last + 1, title=_text(title), text=text,
                             approved_by=_text(approved_by), approved_on=approved_on,
                             recorded_by=actor)
    if attachment is not None:
        charter.attachment = attachment
    _save(charter, conflict_code="duplicate_version")
    audit(actor=actor, action="alliance.charter", org=alliance.host_org, target=alliance,
          after={"version": charter.version, "title": charter.title, "approved_by": charter.approved_by,
                 "approved_on": charter.approved_on})
    return charter


def _require_decision(decision: str) -> str:
    decision = _text(decision)
    if not decision:
        raise ValidationError({"decision": [_("请填写决定依据（会议或文件）")]})
    return decision


@transaction.atomic
def alliance_join(*, actor: AbstractBaseUser, alliance: Alliance, studio: Studio, joined_on: dt.date,
                  decision: str, replaces: AllianceMembership | None = None) -> AllianceMembership:
    """A studio joins an alliance by a recorded decision."""
    alliance = _lock_alliance(alliance)
    _require(actor, alliance.host_org)
    decision = _require_decision(decision)
    if studio.status == StudioStatus.REVOKED:
        raise ConflictError("studio_revoked", _("已摘牌的工作室不能加入联盟"))
    if alliance.memberships.filter(studio=studio, left_on__isnull=True).exists():
        raise ConflictError("already_member", _("{s}已是联盟成员").format(s=studio.name))
    row = AllianceMembership(alliance=alliance, studio=studio, joined_on=joined_on, join_decision=decision,
                             replaces=replaces)
    _save(row, conflict_code="already_member", conflict_message=_("该工作室已是联盟成员"))
    audit(actor=actor, action="alliance.join", org=alliance.host_org, target=alliance,
          after={"studio": studio.pk, "joined_on": joined_on, "decision": decision,
                 "replaces": replaces.pk if replaces else None})
    return row


@transaction.atomic
def alliance_leave(*, actor: AbstractBaseUser, membership: AllianceMembership, left_on: dt.date, decision: str
                   ) -> AllianceMembership:
    row = AllianceMembership.objects.select_for_update().select_related("alliance__host_org").get(pk=membership.pk)
    _require(actor, row.alliance.host_org)
    decision = _require_decision(decision)
    if row.left_on is not None:
        raise ConflictError("already_left", _("该工作室已退出联盟"))
    if left_on < row.joined_on:
        raise ValidationError({"left_on": [_("退出日期不能早于加入日期")]})
    if row.alliance.lead_studio_id == row.studio_id:
        raise ConflictError("lead_studio", _("牵头工作室不能退出，请先更换牵头工作室"))
    row.left_on, row.leave_decision = left_on, decision
    row.save(update_fields=["left_on", "leave_decision"])
    audit(actor=actor, action="alliance.leave", org=row.alliance.host_org, target=row.alliance,
          after={"studio": row.studio_id, "left_on": left_on, "decision": decision})
    return row


@transaction.atomic
def alliance_replace(*, actor: AbstractBaseUser, membership: AllianceMembership, new_studio: Studio,
                     on: dt.date, decision: str) -> AllianceMembership:
    """增补: a member leaves and another studio takes its place by one decision."""
    old = alliance_leave(actor=actor, membership=membership, left_on=on, decision=decision)
    return alliance_join(actor=actor, alliance=old.alliance, studio=new_studio, joined_on=on, decision=decision,
                         replaces=old)


@transaction.atomic
def alliance_set_lead(*, actor: AbstractBaseUser, alliance: Alliance, studio: Studio) -> Alliance:
    alliance = _lock_alliance(alliance)
    _require(actor, alliance.host_org)
    if not alliance.memberships.filter(studio=studio, left_on__isnull=True).exists():
        raise ConflictError("not_a_member", _("牵头工作室须为联盟成员"))
    before = {"lead_studio": alliance.lead_studio_id}
    alliance.lead_studio = studio
    alliance.save(update_fields=["lead_studio"])
    audit(actor=actor, action="alliance.lead", org=alliance.host_org, target=alliance, before=before,
          after={"lead_studio": studio.pk})
    return alliance


@transaction.atomic
def officer_appoint(*, actor: AbstractBaseUser, alliance: Alliance, member: Member, title: str,
                    since: dt.date | None = None) -> AllianceOfficer:
    alliance = _lock_alliance(alliance)
    _require(actor, alliance.host_org)
    _active_member(member)
    if alliance.officers.filter(member=member, title=_text(title), until__isnull=True).exists():
        raise ConflictError("already_officer", _("该会员已担任此职务"))
    officer = AllianceOfficer(alliance=alliance, member=member, title=_text(title), since=since or _today())
    _save(officer, conflict_code="already_officer", conflict_message=_("该会员已担任此职务"))
    audit(actor=actor, action="alliance.officer", org=alliance.host_org, target=alliance,
          after={"member": member.pk, "title": officer.title})
    return officer


@transaction.atomic
def agreement_sign(*, actor: AbstractBaseUser, alliance: Alliance, title: str, signed_on: dt.date,
                   parties: Sequence[Studio], text: str = "") -> Agreement:
    """An agreement signed by two or more member studios."""
    alliance = _lock_alliance(alliance)
    _require(actor, alliance.host_org)
    ids = {s.pk for s in parties}
    if len(ids) < 2:
        raise ValidationError({"parties": [_("协议至少需要两家成员工作室")]})
    members = set(alliance.memberships.filter(left_on__isnull=True, studio_id__in=ids)
                  .values_list("studio_id", flat=True))
    if members != ids:
        raise ConflictError("not_a_member", _("签约方须为联盟现有成员"))
    agreement = Agreement(alliance=alliance, title=_text(title), signed_on=signed_on, text=text)
    _save(agreement)
    agreement.parties.set(ids)
    audit(actor=actor, action="alliance.agreement", org=alliance.host_org, target=agreement,
          after={"title": agreement.title, "parties": sorted(ids), "signed_on": signed_on})
    return agreement


# ---------------------------------------------------------------- topics (S4)


def _lock_topic(topic: Topic) -> Topic:
    return (Topic.objects.select_for_update(of=("self",))
            .select_related("studio__org", "alliance__host_org").get(pk=topic.pk))


def _transition(topic: Topic, action: str) -> str:
    target = rules.topic_next_status(action, topic.status)
    if target is None:
        raise ConflictError(
            "invalid_transition",
            _("课题当前状态为“{s}”，不能执行“{a}”").format(s=topic.get_status_display(), a=ACTION_LABELS[action]),
            status=topic.status, action=action,
        )
    return target


ACTION_LABELS = {
    "submit": gettext_lazy("申报"), "review": gettext_lazy("评审"), "approve": gettext_lazy("立项"),
    "reject": gettext_lazy("不予立项"), "midterm": gettext_lazy("中期检查通过"),
    "accept": gettext_lazy("结题验收通过"), "fail": gettext_lazy("验收不通过"),
}


def _record(topic: Topic, *, actor: AbstractBaseUser | None, action: str, from_status: str, note: str = "",
            attachment=None, before: dict | None = None) -> TopicEvent:
    event = TopicEvent(topic=topic, action=action, from_status=from_status, to_status=topic.status, actor=actor,
                       note=note)
    if attachment is not None:
        event.attachment = attachment
    event.save()
    audit(actor=actor, action=f"topic.{action}", org=topic.studio.org, target=topic,
          before=before or {"status": from_status}, after=snapshot(topic, TOPIC_FIELDS))
    return event


def _team_rows(topic_studio: Studio, alliance: Alliance | None, team: Sequence[tuple[Member, Studio, str]]
               ) -> list[tuple[Member, Studio, str]]:
    rows = []
    seen = set()
    allowed = None
    if alliance is not None:
        allowed = set(alliance.memberships.filter(left_on__isnull=True).values_list("studio_id", flat=True))
    for member, studio, role in team:
        if member.pk in seen:
            raise ValidationError({"team": [_("{n}重复列入课题组").format(n=member.name)]})
        seen.add(member.pk)
        _active_member(member, "team")
        if allowed is not None and studio.pk not in allowed:
            raise ValidationError({"team": [_("{s}不是联盟成员，不能参加本课题").format(s=studio.name)]})
        in_studio = studio.leader_id == member.pk or StudioMember.objects.filter(
            studio=studio, member=member, left_on__isnull=True).exists()
        if not in_studio:
            raise ValidationError({"team": [_("{n}不是{s}的成员").format(n=member.name, s=studio.name)]})
        rows.append((member, studio, _text(role)))
    return rows


@transaction.atomic
def topic_create(
    *, actor: AbstractBaseUser, studio: Studio, title: str, work_area: str, plan: str, budget: Decimal | str,
    alliance: Alliance | None = None, starts_on: dt.date | None = None, ends_on: dt.date | None = None,
    team: Sequence[tuple[Member, Studio, str]] = (),
) -> Topic:
    """A topic application (draft) by a studio's leader or its host-union staff."""
    _require_studio(actor, studio)
    _choice(work_area, WorkArea, "work_area", _("工作板块"))
    if studio.status == StudioStatus.REVOKED:
        raise ConflictError("studio_revoked", _("已摘牌的工作室不能申报课题"))
    if alliance is not None and not alliance.memberships.filter(studio=studio, left_on__isnull=True).exists():
        raise ValidationError({"alliance": [_("{s}不是该联盟成员").format(s=studio.name)]})
    title = _text(title)
    if not title:
        raise ValidationError({"title": [_("课题名称不能为空")]})
    if not _text(plan):
        raise ValidationError({"plan": [_("请填写研究计划")]})
    rows = _team_rows(studio, alliance, team)
    topic = Topic(alliance=alliance, studio=studio, title=title, work_area=work_area, plan=plan,
                  budget=_decimal(budget, "budget"), starts_on=starts_on, ends_on=ends_on,
                  status=TopicStatus.DRAFT, applicant=actor)
    topic.title_pinyin, topic.title_initials = name_pinyin(title)
    _save(topic)
    for member, team_studio, role in rows:
        TopicTeamMember.objects.create(topic=topic, member=member, studio=team_studio, role=role)
    TopicEvent.objects.create(topic=topic, action="create", from_status="", to_status=topic.status, actor=actor)
    audit(actor=actor, action="topic.create", org=studio.org, target=topic, after=snapshot(topic, TOPIC_FIELDS))
    return topic


@transaction.atomic
def topic_update(*, actor: AbstractBaseUser, topic: Topic, team: Sequence[tuple[Member, Studio, str]] | None = None,
                 **changes: Any) -> Topic:
    """Edit a draft application."""
    topic = _lock_topic(topic)
    _require_studio(actor, topic.studio)
    if topic.status != TopicStatus.DRAFT:
        raise ConflictError("invalid_transition", _("只有草稿状态的课题可以修改"), status=topic.status,
                            action="update")
    allowed = {"title", "work_area", "plan", "budget", "starts_on", "ends_on"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({k: [_("该字段不可修改")] for k in unknown})
    before = snapshot(topic, TOPIC_FIELDS)
    for key, value in changes.items():
        if key == "budget":
            value = _decimal(value, "budget")
        elif key == "work_area":
            _choice(value, WorkArea, "work_area", _("工作板块"))
        setattr(topic, key, value)
    topic.title_pinyin, topic.title_initials = name_pinyin(topic.title)
    _save(topic)
    if team is not None:
        rows = _team_rows(topic.studio, topic.alliance, team)
        topic.team.all().delete()
        for member, team_studio, role in rows:
            TopicTeamMember.objects.create(topic=topic, member=member, studio=team_studio, role=role)
    audit(actor=actor, action="topic.update", org=topic.studio.org, target=topic, before=before,
          after=snapshot(topic, TOPIC_FIELDS))
    return topic


@transaction.atomic
def topic_submit(*, actor: AbstractBaseUser, topic: Topic) -> Topic:
    """申报: the draft goes to the alliance for review."""
    topic = _lock_topic(topic)
    _require_studio(actor, topic.studio)
    frm = topic.status
    topic.status = _transition(topic, "submit")
    if topic.budget <= 0:
        raise ValidationError({"budget": [_("请填写申请经费")]})
    topic.submitted_at = timezone.now()
    topic.save()
    _record(topic, actor=actor, action="submit", from_status=frm)
    return topic


def _require_reviewer(actor: AbstractBaseUser, topic: Topic) -> None:
    if can_review_topic(actor, topic):
        return
    raise PermissionDeniedError("not_reviewer", _("只有评审专家或联盟牵头工会工作人员可以评审课题"))


def _require_decider(actor: AbstractBaseUser, topic: Topic) -> None:
    if can_decide_topic(actor, topic):
        return
    raise PermissionDeniedError("permission_denied", _("只有联盟牵头工会的工作人员可以作出此决定"))


@transaction.atomic
def topic_review(*, actor: AbstractBaseUser, topic: Topic, score: Any, comment: str = "") -> TopicReview:
    """评审: one scored review per expert; never by someone of the topic's own studios."""
    topic = _lock_topic(topic)
    _require_reviewer(actor, topic)
    frm = topic.status
    target = _transition(topic, "review")
    if actor_studio_ids(actor) & topic_studio_ids(topic):
        raise PermissionDeniedError("own_studio", _("评审专家不能评审本人所在工作室的课题"))
    member = actor_member(actor)
    if member is not None and topic.team.filter(member=member).exists():
        raise PermissionDeniedError("own_studio", _("评审专家不能评审本人参加的课题"))
    try:
        value = rules.parse_score(score)
    except ValueError:
        raise ValidationError({"score": [_("评分须为0到100之间的数，最多两位小数")]}) from None
    if topic.reviews.filter(reviewer=actor).exists():
        raise ConflictError("already_reviewed", _("您已评审过该课题"))
    review = TopicReview(topic=topic, reviewer=actor, score=value, comment=_text(comment))
    _save(review, conflict_code="already_reviewed",
          conflict_message=_("您已评审过该课题"))
    if topic.status != target:
        topic.status = target
        topic.save()
    _record(topic, actor=actor, action="review", from_status=frm,
            note=_("评分 {s}").format(s=value) + (("：" + review.comment) if review.comment else ""))
    return review


@transaction.atomic
def topic_approve(*, actor: AbstractBaseUser, topic: Topic, approved_budget: Decimal | str | None = None,
                  note: str = "") -> Topic:
    """立项 with budget: needs the alliance's number of reviews and an average at or above its line."""
    topic = _lock_topic(topic)
    _require_decider(actor, topic)
    frm = topic.status
    target = _transition(topic, "approve")
    required = topic.alliance.required_reviews if topic.alliance_id else Alliance._meta.get_field(
        "required_reviews").default
    line = topic.alliance.approval_line if topic.alliance_id else Alliance._meta.get_field("approval_line").default
    scores = list(topic.reviews.values_list("score", flat=True))
    refusal = rules.approval_refusal(scores, required=required, line=line)
    if refusal == "not_enough_reviews":
        raise ConflictError("not_enough_reviews", _("立项需要{r}份评审，目前只有{n}份").format(r=required, n=len(scores)))
    if refusal == "below_approval_line":
        raise ConflictError("below_approval_line", _("评审平均分{a}低于立项分数线{line}").format(
            a=rules.average_score(scores), line=line))
    budget = topic.budget if approved_budget in (None, "") else _decimal(approved_budget, "approved_budget")
    topic.status, topic.approved_budget, topic.decided_at = target, budget, timezone.now()
    topic.save()
    _record(topic, actor=actor, action="approve", from_status=frm,
            note=note or _("平均分 {a}，批准经费 {b} 元").format(a=rules.average_score(scores), b=budget))
    return topic


@transaction.atomic
def topic_reject(*, actor: AbstractBaseUser, topic: Topic, note: str = "") -> Topic:
    topic = _lock_topic(topic)
    _require_decider(actor, topic)
    frm = topic.status
    topic.status = _transition(topic, "reject")
    if not _text(note):
        raise ValidationError({"note": [_("请填写不予立项的理由")]})
    topic.decided_at = timezone.now()
    topic.save()
    _record(topic, actor=actor, action="reject", from_status=frm, note=note)
    return topic


def _close_step(*, actor: AbstractBaseUser, topic: Topic, action: str, note: str, attachment, need_note: str
                ) -> Topic:
    topic = _lock_topic(topic)
    _require_decider(actor, topic)
    frm = topic.status
    topic.status = _transition(topic, action)
    if not _text(note):
        raise ValidationError({"note": [need_note]})
    if action in ("accept", "fail"):
        topic.closed_at = timezone.now()
    topic.save()
    _record(topic, actor=actor, action=action, from_status=frm, note=note, attachment=attachment)
    return topic


@transaction.atomic
def topic_midterm(*, actor: AbstractBaseUser, topic: Topic, note: str, attachment=None) -> Topic:
    """中期检查 passed (a failed inspection is `topic_fail` from approved)."""
    return _close_step(actor=actor, topic=topic, action="midterm", note=note, attachment=attachment,
                       need_note=_("请填写中期检查意见"))


@transaction.atomic
def topic_accept(*, actor: AbstractBaseUser, topic: Topic, note: str, attachment=None) -> Topic:
    """结题验收 passed: only after approval and a passed mid-term inspection, with its evidence."""
    return _close_step(actor=actor, topic=topic, action="accept", note=note, attachment=attachment,
                       need_note=_("请填写验收意见"))


@transaction.atomic
def topic_fail(*, actor: AbstractBaseUser, topic: Topic, note: str, attachment=None) -> Topic:
    return _close_step(actor=actor, topic=topic, action="fail", note=note, attachment=attachment,
                       need_note=_("请填写未通过的理由"))


# ---------------------------------------------------------------- achievements


@transaction.atomic
def achievement_create(
    *, actor: AbstractBaseUser, studio: Studio, kind: str, title: str, achieved_on: dt.date,
    alliance: Alliance | None = None, topic: Topic | None = None, patent_number: str = "", patent_type: str = "",
    description: str = "", yuan_saved: Decimal | str = Decimal(0), hours_saved: Decimal | str = Decimal(0),
) -> Achievement:
    _require_studio(actor, studio)
    _choice(kind, AchievementKind, "kind", _("成果类别"))
    if patent_type:
        _choice(patent_type, PatentType, "patent_type", _("专利类型"))
    if alliance is not None and not alliance.memberships.filter(studio=studio).exists():
        raise ValidationError({"alliance": [_("{s}不是该联盟成员").format(s=studio.name)]})
    if topic is not None and studio.pk not in topic_studio_ids(topic):
        raise ValidationError({"topic": [_("该课题不是本工作室参与的课题")]})
    title = _text(title)
    item = Achievement(studio=studio, alliance=alliance, topic=topic, kind=kind, title=title,
                       achieved_on=achieved_on, patent_number=normalize_text(patent_number).upper().replace(" ", ""),
                       patent_type=patent_type if kind == AchievementKind.PATENT else "",
                       description=description, yuan_saved=_decimal(yuan_saved, "yuan_saved"),
                       hours_saved=_decimal(hours_saved, "hours_saved"))
    if kind != AchievementKind.PATENT:
        item.patent_number = ""
    item.title_pinyin, item.title_initials = name_pinyin(title)
    _save(item)
    audit(actor=actor, action="achievement.create", org=studio.org, target=item, after=snapshot(item))
    return item


@transaction.atomic
def achievement_apply(*, actor: AbstractBaseUser, achievement: Achievement, place: str, applied_on: dt.date,
                      effect: str = "", yuan_saved: Decimal | str = Decimal(0),
                      hours_saved: Decimal | str = Decimal(0)) -> AchievementApplication:
    """成果转化: record where an achievement was applied and what it brought."""
    achievement = Achievement.objects.select_related("studio__org").get(pk=achievement.pk)
    _require_studio(actor, achievement.studio)
    row = AchievementApplication(achievement=achievement, place=_text(place), applied_on=applied_on,
                                 effect=effect, yuan_saved=_decimal(yuan_saved, "yuan_saved"),
                                 hours_saved=_decimal(hours_saved, "hours_saved"))
    _save(row)
    audit(actor=actor, action="achievement.apply", org=achievement.studio.org, target=achievement,
          after=snapshot(row))
    return row


# ---------------------------------------------------------------- talent development (S5)


@transaction.atomic
def lecture_create(*, actor: AbstractBaseUser, org: Organisation, title: str, speaker: str,
                   starts_at: dt.datetime, venue: str, capacity: int, alliance: Alliance | None = None,
                   studio: Studio | None = None) -> Lecture:
    _require(actor, org)
    lecture = Lecture(org=org, title=_text(title), speaker=_text(speaker), starts_at=starts_at,
                      venue=_text(venue), capacity=int(capacity), alliance=alliance, studio=studio)
    _save(lecture)
    audit(actor=actor, action="lecture.create", org=org, target=lecture, after=snapshot(lecture))
    return lecture


@transaction.atomic
def lecture_signup(*, actor: AbstractBaseUser, lecture: Lecture, member: Member) -> LectureSignup:
    """Sign a member up (by the member or union staff); refused when full or already signed up."""
    lecture = Lecture.objects.select_for_update().select_related("org").get(pk=lecture.pk)
    self_signup = actor_member(actor) is not None and actor_member(actor).pk == member.pk
    if not self_signup and not (has_role_on(actor, lecture.org, WRITE_ROLES)
                                or has_role_on(actor, member.org, WRITE_ROLES)):
        raise PermissionDeniedError("permission_denied", _("只能为本人或本工会会员报名"))
    _active_member(member)
    if lecture.signups.filter(member=member).exists():
        raise ConflictError("already_signed_up", _("{n}已报名本讲堂").format(n=member.name))
    if lecture.signups.count() >= lecture.capacity:
        raise ConflictError("lecture_full", _("名额已满（{c}人）").format(c=lecture.capacity))
    signup = LectureSignup(lecture=lecture, member=member)
    _save(signup, conflict_code="already_signed_up",
          conflict_message=_("该会员已报名本讲堂"))
    audit(actor=actor, action="lecture.signup", org=lecture.org, target=lecture, after={"member": member.pk})
    return signup


@transaction.atomic
def lecture_checkin(*, actor: AbstractBaseUser, lecture: Lecture, token: str) -> LectureSignup:
    """Attendance by scanning the member's QR card."""
    lecture = Lecture.objects.select_related("org").get(pk=lecture.pk)
    _require(actor, lecture.org)
    member = member_by_card_token(token=token)
    if member is None:
        raise DomainError("invalid_card", _("无法识别的会员码"))
    signup = LectureSignup.objects.select_for_update().filter(lecture=lecture, member=member).first()
    if signup is None:
        raise ConflictError("not_signed_up", _("{n}未报名本讲堂").format(n=member.name))
    if signup.attended_at is not None:
        raise ConflictError("already_checked_in", _("{n}已于{t}签到").format(
            n=member.name, t=timezone.localtime(signup.attended_at).strftime("%H:%M")))
    signup.attended_at = timezone.now()
    signup.save(update_fields=["attended_at"])
    audit(actor=actor, action="lecture.checkin", org=lecture.org, target=lecture, after={"member": member.pk})
    return signup


@transaction.atomic
def training_create(*, actor: AbstractBaseUser, org: Organisation, title: str, starts_on: dt.date,
                    ends_on: dt.date, hours: Decimal | str, trainees: int = 0, description: str = "",
                    alliance: Alliance | None = None, studio: Studio | None = None) -> TrainingCourse:
    _require(actor, org)
    course = TrainingCourse(org=org, title=_text(title), starts_on=starts_on, ends_on=ends_on,
                            hours=_decimal(hours, "hours"), trainees=int(trainees), description=description,
                            alliance=alliance, studio=studio)
    _save(course)
    audit(actor=actor, action="training.create", org=org, target=course, after=snapshot(course))
    return course


@transaction.atomic
def mentorship_create(*, actor: AbstractBaseUser, studio: Studio, mentor: Member, apprentice: Member,
                      goals: str, started_on: dt.date | None = None) -> Mentorship:
    """名师带徒: pair a mentor of the studio with an apprentice."""
    _require_studio(actor, studio)
    _active_member(mentor, "mentor")
    _active_member(apprentice, "apprentice")
    if mentor.pk == apprentice.pk:
        raise ValidationError({"apprentice": [_("师傅和徒弟不能是同一人")]})
    if not _text(goals):
        raise ValidationError({"goals": [_("请填写培养目标")]})
    if Mentorship.objects.filter(mentor=mentor, apprentice=apprentice, status=MentorshipStatus.ACTIVE).exists():
        raise ConflictError("already_paired", _("该师徒已结对"))
    pair = Mentorship(studio=studio, mentor=mentor, apprentice=apprentice, goals=goals,
                      started_on=started_on or _today())
    _save(pair, conflict_code="already_paired", conflict_message=_("该师徒已结对"))
    audit(actor=actor, action="mentorship.create", org=studio.org, target=pair, after=snapshot(pair))
    return pair


@transaction.atomic
def mentorship_note_add(*, actor: AbstractBaseUser, mentorship: Mentorship, text: str,
                        noted_on: dt.date | None = None) -> MentorshipNote:
    pair = Mentorship.objects.select_related("studio__org").get(pk=mentorship.pk)
    member = actor_member(actor)
    if not (member is not None and member.pk == pair.mentor_id):
        _require_studio(actor, pair.studio)
    if not _text(text):
        raise ValidationError({"text": [_("请填写进展")]})
    note = MentorshipNote.objects.create(mentorship=pair, text=text, noted_on=noted_on or _today(), author=actor)
    audit(actor=actor, action="mentorship.note", org=pair.studio.org, target=pair, after={"text": text[:200]})
    return note


@transaction.atomic
def mentorship_complete(*, actor: AbstractBaseUser, mentorship: Mentorship, outcome: str, outcome_level: str = "",
                        ended_on: dt.date | None = None, completed: bool = True) -> Mentorship:
    pair = Mentorship.objects.select_for_update().select_related("studio__org").get(pk=mentorship.pk)
    _require_studio(actor, pair.studio)
    if pair.status != MentorshipStatus.ACTIVE:
        raise ConflictError("already_ended", _("该师徒结对已结束"))
    if not _text(outcome):
        raise ValidationError({"outcome": [_("请填写培养成果")]})
    pair.status = MentorshipStatus.COMPLETED if completed else MentorshipStatus.ENDED
    pair.outcome, pair.outcome_level = outcome, _text(outcome_level)
    pair.ended_on = ended_on or _today()
    if pair.ended_on < pair.started_on:
        raise ValidationError({"ended_on": [_("结束日期不能早于结对日期")]})
    pair.save()
    audit(actor=actor, action="mentorship.complete", org=pair.studio.org, target=pair, after=snapshot(pair))
    return pair
