"""Writes of the activities app: one function per domain action, atomic, locked where it races, audited.

Capacity and the waitlist never race: every sign-up, cancellation, capacity change and promotion
first locks the activity row (`select_for_update`; on SQLite the IMMEDIATE transaction takes the
database write lock at BEGIN), then counts and writes. UNIQUE(activity, member) makes a double
sign-up impossible even if a code path forgot the lock.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit, snapshot
from gonghui.core.choices import READ_ROLES, WRITE_ROLES, Role
from gonghui.core.errors import ConflictError, DomainError, NotFound, PermissionDeniedError
from gonghui.core.pinyin import name_pinyin
from gonghui.core.scope import has_role_on
from gonghui.core.validators import normalize_text
from gonghui.orgs.choices import MemberStatus
from gonghui.orgs.models import Member, Organisation
from gonghui.orgs.selectors import member_by_card_token

from . import rules
from .choices import ActivityStatus, AudienceType, CheckinMethod, SignupSource, SignupStatus
from .models import Activity, Photo, Signup

__all__ = [
    "MAX_PHOTO_BYTES",
    "activity_create",
    "activity_report_update",
    "activity_set_status",
    "activity_update",
    "attendance_checkin",
    "photo_add",
    "photo_delete",
    "photo_update",
    "signup_cancel",
    "signup_checkin",
    "signup_checkin_undo",
    "signup_create",
]

MAX_PHOTO_BYTES = getattr(settings, "GONGHUI_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
MAX_PHOTO_SIDE = 2560
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}

ACTIVITY_FIELDS = [
    "theme", "kind", "description", "place", "starts_at", "ends_at", "capacity", "audience_type",
    "audience_org", "signup_opens_at", "signup_closes_at", "cost", "budget_line", "co_organisers",
]
ACTIVITY_AUDIT_FIELDS = ["org", *ACTIVITY_FIELDS, "status", "report_text"]


# ---------------------------------------------------------------- helpers


def _clean(value: object) -> str:
    """Trim and collapse blanks, keeping Chinese punctuation (NFKC would turn ，（） into ,())."""
    return re.sub(r"\s+", " ", str(value or "")).strip()


def _now(now: dt.datetime | None) -> dt.datetime:
    return now if now is not None else timezone.now()


def _require_role(actor: AbstractBaseUser, org: Organisation, roles=WRITE_ROLES) -> None:
    if not has_role_on(actor, org, roles):
        if not has_role_on(actor, org, tuple(Role)):
            raise NotFound("not_found", _("未找到该活动"))
        raise PermissionDeniedError("permission_denied", _("您没有在该组织执行此操作的权限"))


def _require_orgs_in_scope(actor: AbstractBaseUser, orgs: Iterable[Organisation], label: str) -> None:
    for org in orgs:
        if not has_role_on(actor, org, READ_ROLES):
            raise DomainError("org_out_of_scope", _("{label}“{name}”不在您的管辖范围内").format(
                label=label, name=org.name))


def _lock(activity: Activity) -> Activity:
    """Re-read the activity under a row lock; every write that counts places goes through here."""
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _audience_paths(activity: Activity) -> list[str]:
    if activity.audience_type == AudienceType.UNITS:
        return list(activity.audience_units.values_list("path", flat=True))
    org = activity.audience_org or activity.org
    return [org.path]


def _is_self(actor: AbstractBaseUser, member: Member) -> bool:
    return getattr(actor, "is_authenticated", False) and getattr(actor, "member", None) == member


def _promote(*, actor: AbstractBaseUser | None, activity: Activity, now: dt.datetime) -> list[Signup]:
    """Give freed places to the waitlist in sign-up order. The activity must be locked by the caller."""
    if activity.status not in (ActivityStatus.PUBLISHED, ActivityStatus.CLOSED):
        return []
    confirmed = Signup.objects.filter(activity=activity, status=SignupStatus.CONFIRMED).count()
    waiting = Signup.objects.filter(activity=activity, status=SignupStatus.WAITLISTED)
    n = rules.places_to_promote(confirmed=confirmed, capacity=activity.capacity, waiting=waiting.count())
    promoted = []
    for signup in waiting.select_related("member").order_by("seq")[:n]:
        signup.status = SignupStatus.CONFIRMED
        signup.promoted_at = now
        signup.confirmed_at = now
        signup.save(update_fields=["status", "promoted_at", "confirmed_at"])
        audit(actor=actor, action="activities.signup.promote", org=activity.org, target=signup,
              before={"status": SignupStatus.WAITLISTED}, after={"status": SignupStatus.CONFIRMED,
                                                                 "member": signup.member_id})
        promoted.append(signup)
    return promoted


# ---------------------------------------------------------------- activities


def _set_theme(activity: Activity, theme: str) -> None:
    activity.theme = _clean(theme)
    activity.theme_pinyin, activity.theme_initials = name_pinyin(activity.theme)


@transaction.atomic
def activity_create(
    *,
    actor: AbstractBaseUser,
    org: Organisation,
    theme: str,
    kind: str,
    place: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int | None = None,
    audience_type: str = AudienceType.SUBTREE,
    audience_org: Organisation | None = None,
    audience_units: Iterable[Organisation] = (),
    co_orgs: Iterable[Organisation] = (),
    co_organisers: str = "",
    description: str = "",
    signup_opens_at: dt.datetime | None = None,
    signup_closes_at: dt.datetime | None = None,
    cost: Decimal = Decimal("0"),
    budget_line: str = "",
    status: str = ActivityStatus.DRAFT,
) -> Activity:
    """Create an activity of `org` (the primary organiser, which decides its scope)."""
    _require_role(actor, org)
    audience_units = list(audience_units)
    co_orgs = list(co_orgs)
    _require_orgs_in_scope(actor, co_orgs, _("联合主办工会"))
    _require_orgs_in_scope(actor, [o for o in [audience_org, *audience_units] if o is not None], _("参加对象"))
    if status not in (ActivityStatus.DRAFT, ActivityStatus.PUBLISHED):
        raise DomainError("invalid_status", _("新建的活动只能是草稿或直接发布"))
    activity = Activity(
        org=org, kind=kind, place=_clean(place), starts_at=starts_at, ends_at=ends_at,
        capacity=capacity, audience_type=audience_type,
        audience_org=audience_org if audience_type == AudienceType.SUBTREE else None,
        co_organisers="\n".join(line.strip() for line in co_organisers.splitlines() if line.strip()),
        description=description.strip(), signup_opens_at=signup_opens_at, signup_closes_at=signup_closes_at,
        cost=cost if cost is not None else Decimal("0"), budget_line=_clean(budget_line),
        status=status, created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _set_theme(activity, theme)
    _check_audience(audience_type, audience_units)
    activity.full_clean()
    activity.save()
    activity.co_orgs.set([o for o in co_orgs if o.pk != org.pk])
    if audience_type == AudienceType.UNITS:
        activity.audience_units.set(audience_units)
    audit(actor=actor, action="activities.activity.create", org=org, target=activity,
          after=snapshot(activity, ACTIVITY_AUDIT_FIELDS) | {
              "co_orgs": [o.pk for o in co_orgs], "audience_units": [o.pk for o in audience_units]})
    return activity


def _check_audience(audience_type: str, audience_units: list[Organisation]) -> None:
    if audience_type == AudienceType.UNITS and not audience_units:
        raise ValidationError({"audience_units": _("请至少指定一个参加单位")})


@transaction.atomic
def activity_update(
    *, actor: AbstractBaseUser, activity: Activity, audience_units: Iterable[Organisation] | None = None,
    co_orgs: Iterable[Organisation] | None = None, **changes: Any,
) -> Activity:
    """Change an activity's fields. A larger capacity gives its new places to the waitlist at once."""
    _require_role(actor, activity.org)
    activity = _lock(activity)
    if activity.status in (ActivityStatus.CANCELLED, ActivityStatus.FINISHED):
        raise ConflictError("not_editable", _("活动已{status}，不能再修改").format(
            status=activity.get_status_display()))
    unknown = set(changes) - set(ACTIVITY_FIELDS)
    if unknown:
        raise DomainError("invalid", _("不能修改的字段：{fields}").format(fields="、".join(sorted(unknown))))
    before = snapshot(activity, ACTIVITY_AUDIT_FIELDS)
    if "audience_org" in changes and changes["audience_org"] is not None:
        _require_orgs_in_scope(actor, [changes["audience_org"]], _("参加对象"))
    for name, value in changes.items():
        if name == "theme":
            _set_theme(activity, value)
        elif name in ("place", "budget_line"):
            setattr(activity, name, _clean(value or ""))
        elif name == "co_organisers":
            activity.co_organisers = "\n".join(x.strip() for x in (value or "").splitlines() if x.strip())
        elif name == "cost":
            activity.cost = value if value is not None else Decimal("0")
        else:
            setattr(activity, name, value)
    if activity.audience_type != AudienceType.SUBTREE:
        activity.audience_org = None
    units = list(audience_units) if audience_units is not None else list(activity.audience_units.all())
    _require_orgs_in_scope(actor, units if audience_units is not None else [], _("参加对象"))
    _check_audience(activity.audience_type, units)
    confirmed = Signup.objects.filter(activity=activity, status=SignupStatus.CONFIRMED).count()
    if activity.capacity is not None and activity.capacity < confirmed:
        raise ValidationError({"capacity": _("已有{n}人报名成功，名额不能少于{n}人").format(n=confirmed)})
    activity.full_clean()
    activity.save()
    if audience_units is not None:
        activity.audience_units.set(units if activity.audience_type == AudienceType.UNITS else [])
    if co_orgs is not None:
        co_orgs = list(co_orgs)
        _require_orgs_in_scope(actor, co_orgs, _("联合主办工会"))
        activity.co_orgs.set([o for o in co_orgs if o.pk != activity.org_id])
    promoted = _promote(actor=actor, activity=activity, now=timezone.now())
    audit(actor=actor, action="activities.activity.update", org=activity.org, target=activity, before=before,
          after=snapshot(activity, ACTIVITY_AUDIT_FIELDS) | {"promoted": [s.pk for s in promoted]})
    return activity


@transaction.atomic
def activity_set_status(*, actor: AbstractBaseUser, activity: Activity, status: str) -> Activity:
    """Publish, close or reopen sign-up, cancel or finish an activity."""
    _require_role(actor, activity.org)
    activity = _lock(activity)
    if not rules.can_transition(activity.status, status):
        raise ConflictError("invalid_transition", _("活动状态不能从“{a}”改为“{b}”").format(
            a=activity.get_status_display(), b=ActivityStatus(status).label if status in ActivityStatus.values
            else status))
    before = {"status": activity.status}
    activity.status = status
    activity.save(update_fields=["status", "updated_at"])
    promoted = _promote(actor=actor, activity=activity, now=timezone.now())
    audit(actor=actor, action=f"activities.activity.{status}", org=activity.org, target=activity,
          before=before, after={"status": status, "promoted": [s.pk for s in promoted]})
    return activity


@transaction.atomic
def activity_report_update(*, actor: AbstractBaseUser, activity: Activity, report_text: str) -> Activity:
    _require_role(actor, activity.org)
    activity = _lock(activity)
    before = {"report_text": activity.report_text}
    activity.report_text = report_text.strip()
    activity.save(update_fields=["report_text", "updated_at"])
    audit(actor=actor, action="activities.report.update", org=activity.org, target=activity, before=before,
          after={"report_text": activity.report_text})
    return activity


# ---------------------------------------------------------------- sign-up and waitlist


def _window_error(state: str) -> DomainError:
    messages = {
        rules.SignupWindow.NOT_YET: ("not_open", _("报名尚未开始")),
        rules.SignupWindow.CLOSED: ("closed", _("报名已截止")),
        rules.SignupWindow.NOT_PUBLISHED: ("closed", _("活动尚未发布，暂不能报名")),
        rules.SignupWindow.CANCELLED: ("closed", _("活动已取消")),
        rules.SignupWindow.FINISHED: ("closed", _("活动已结束")),
    }
    code, message = messages[state]
    return ConflictError(code, message)


def _check_eligible(activity: Activity, member: Member) -> None:
    if member.status != MemberStatus.ACTIVE:
        raise DomainError("not_eligible", _("{name}的会员状态为“{status}”，不能报名").format(
            name=member.name, status=member.get_status_display()))
    if not rules.is_eligible(member_org_path=member.org.path, audience_type=activity.audience_type,
                             audience_paths=_audience_paths(activity)):
        raise DomainError("not_eligible", _("{name}所在的{org}不在本活动的参加范围内").format(
            name=member.name, org=member.org.name))


@transaction.atomic
def signup_create(
    *, actor: AbstractBaseUser, activity: Activity, member: Member, now: dt.datetime | None = None,
) -> Signup:
    """Sign a member up: confirmed while places are free, else waitlisted (never an error when full).

    The member may sign up themselves; staff with a write role on the organiser may sign up anyone
    eligible. Refusals: closed / not_open (409), not_eligible (400), already_signed_up (409).
    """
    is_self = _is_self(actor, member)
    if not is_self:
        _require_role(actor, activity.org)
    now = _now(now)
    activity = _lock(activity)
    state = rules.signup_window_state(now=now, status=activity.status, starts_at=activity.starts_at,
                                      opens_at=activity.signup_opens_at, closes_at=activity.signup_closes_at)
    if state != rules.SignupWindow.OPEN:
        raise _window_error(state)
    member = Member.objects.select_related("org").get(pk=member.pk)
    _check_eligible(activity, member)
    existing = Signup.objects.filter(activity=activity, member=member).first()
    if existing is not None and existing.status != SignupStatus.CANCELLED:
        raise ConflictError("already_signed_up", _("{name}已报名此活动（{status}）").format(
            name=member.name, status=existing.get_status_display()), signup=existing.pk)
    confirmed = Signup.objects.filter(activity=activity, status=SignupStatus.CONFIRMED).count()
    status = rules.status_for_new_signup(confirmed=confirmed, capacity=activity.capacity)
    seq = activity.next_seq
    activity.next_seq = seq + 1
    activity.save(update_fields=["next_seq"])
    signup = existing or Signup(activity=activity, member=member)
    signup.status = status
    signup.seq = seq  # a renewed request joins the end of the queue
    signup.source = SignupSource.SELF if is_self else SignupSource.STAFF
    signup.signed_up_by = actor if getattr(actor, "is_authenticated", False) else None
    signup.requested_at = now
    signup.confirmed_at = now if status == SignupStatus.CONFIRMED else None
    signup.promoted_at = None
    signup.cancelled_at = None
    try:
        with transaction.atomic():
            signup.save()
    except IntegrityError:
        raise ConflictError("already_signed_up", _("{name}已报名此活动").format(name=member.name))
    audit(actor=actor, action="activities.signup.create", org=activity.org, target=signup,
          after={"member": member.pk, "status": status, "seq": seq, "source": signup.source})
    signup.activity = activity
    return signup


@transaction.atomic
def signup_cancel(*, actor: AbstractBaseUser, signup: Signup, now: dt.datetime | None = None) -> Signup:
    """Cancel a sign-up; a confirmed place freed goes to the first on the waitlist in the same transaction."""
    is_self = _is_self(actor, signup.member)
    if not is_self:
        _require_role(actor, signup.activity.org)
    now = _now(now)
    activity = _lock(signup.activity)
    signup = Signup.objects.select_for_update().select_related("member").get(pk=signup.pk)
    if signup.status == SignupStatus.CANCELLED:
        raise ConflictError("already_cancelled", _("该报名已取消"))
    if signup.checked_in_at is not None:
        raise ConflictError("already_checked_in", _("已签到，不能取消报名"))
    if activity.status in (ActivityStatus.FINISHED, ActivityStatus.CANCELLED):
        raise ConflictError("closed", _("活动已{status}，不能取消报名").format(status=activity.get_status_display()))
    if is_self and now >= activity.starts_at:
        raise ConflictError("started", _("活动已开始，不能取消报名；如有特殊情况请联系工会"))
    before = {"status": signup.status}
    signup.status = SignupStatus.CANCELLED
    signup.cancelled_at = now
    signup.save(update_fields=["status", "cancelled_at"])
    audit(actor=actor, action="activities.signup.cancel", org=activity.org, target=signup, before=before,
          after={"status": SignupStatus.CANCELLED, "member": signup.member_id})
    if before["status"] == SignupStatus.CONFIRMED:
        _promote(actor=actor, activity=activity, now=now)
    signup.activity = activity
    return signup


# ---------------------------------------------------------------- attendance


CARD_NO_RE = re.compile(r"^\d{12}$")


@transaction.atomic
def signup_checkin(
    *, actor: AbstractBaseUser, signup: Signup, method: str = CheckinMethod.MANUAL,
    now: dt.datetime | None = None,
) -> Signup:
    """Record attendance of a confirmed sign-up."""
    _require_role(actor, signup.activity.org)
    now = _now(now)
    activity = _lock(signup.activity)
    signup = Signup.objects.select_for_update().select_related("member").get(pk=signup.pk)
    state = rules.checkin_state(now=now, status=activity.status, starts_at=activity.starts_at)
    if state == "too_early":
        raise ConflictError("checkin_not_open", _("签到将于活动开始前2小时开放"))
    if state != "open":
        raise ConflictError("closed", _("活动{status}，不能签到").format(status=activity.get_status_display()))
    name = signup.member.name
    if signup.status == SignupStatus.WAITLISTED:
        raise ConflictError("waitlisted", _("{name}仍在候补名单中，尚未获得名额").format(name=name))
    if signup.status == SignupStatus.CANCELLED:
        raise ConflictError("not_signed_up", _("{name}的报名已取消").format(name=name))
    if signup.checked_in_at is not None:
        local = timezone.localtime(signup.checked_in_at)
        raise ConflictError("already_checked_in", _("{name}已于{time}签到").format(
            name=name, time=local.strftime("%m-%d %H:%M")), signup=signup.pk)
    signup.checked_in_at = now
    signup.checkin_method = method
    signup.checked_in_by = actor if getattr(actor, "is_authenticated", False) else None
    signup.save(update_fields=["checked_in_at", "checkin_method", "checked_in_by"])
    audit(actor=actor, action="activities.signup.checkin", org=activity.org, target=signup,
          after={"member": signup.member_id, "method": method})
    signup.activity = activity
    return signup


def attendance_checkin(
    *, actor: AbstractBaseUser, activity: Activity, card: str, now: dt.datetime | None = None,
) -> Signup:
    """Check in by what the scanner or the keyboard gives: a member QR token or a 12-digit card number.

    Only this activity's sign-ups are searched, so a card number reveals nobody outside the list.
    """
    _require_role(actor, activity.org)
    code = normalize_text(card or "").replace(" ", "")
    if not code:
        raise DomainError("invalid", _("请扫描会员码或输入会员卡号"))
    signups = Signup.objects.select_related("activity__org", "member").filter(activity=activity)
    if CARD_NO_RE.match(code):
        method = CheckinMethod.CARD_NO
        signup = signups.filter(member__card_no=code).first()
        member_known = signup is not None or Member.objects.filter(card_no=code).exists()
    else:
        method = CheckinMethod.CARD
        member = member_by_card_token(token=code)
        if member is None:
            raise DomainError("unknown_card", _("无法识别的会员码，请让会员刷新会员码后重试"))
        signup = signups.filter(member=member).first()
        member_known = True
    if not member_known:
        raise DomainError("unknown_card", _("没有这个会员卡号"))
    if signup is None:
        raise ConflictError("not_signed_up", _("该会员没有报名本活动"))
    return signup_checkin(actor=actor, signup=signup, method=method, now=now)


@transaction.atomic
def signup_checkin_undo(*, actor: AbstractBaseUser, signup: Signup) -> Signup:
    """Undo a mistaken check-in."""
    _require_role(actor, signup.activity.org)
    activity = _lock(signup.activity)
    signup = Signup.objects.select_for_update().get(pk=signup.pk)
    if signup.checked_in_at is None:
        raise ConflictError("not_checked_in", _("该会员尚未签到"))
    before = {"checked_in_at": signup.checked_in_at, "method": signup.checkin_method}
    signup.checked_in_at = None
    signup.checkin_method = ""
    signup.checked_in_by = None
    signup.save(update_fields=["checked_in_at", "checkin_method", "checked_in_by"])
    audit(actor=actor, action="activities.signup.checkin_undo", org=activity.org, target=signup, before=before,
          after={"checked_in_at": None})
    return signup


# ---------------------------------------------------------------- photos


def _normalised_image(upload: UploadedFile) -> tuple[bytes, str]:
    """Check that the upload is a JPEG/PNG/WebP image of sane size; re-encode it without metadata.

    Re-encoding drops EXIF (GPS position, device) and anything appended to the file.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
        raise ValidationError({"image": _("照片不能超过{mb}MB").format(mb=MAX_PHOTO_BYTES // (1024 * 1024))})
    upload.seek(0)
    data = upload.read()
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationError({"image": _("照片不能超过{mb}MB").format(mb=MAX_PHOTO_BYTES // (1024 * 1024))})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            probe.verify()
        if fmt not in PHOTO_FORMATS:
            raise ValidationError({"image": _("只支持JPG、PNG或WebP格式的照片")})
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > 80_000_000:
                raise ValidationError({"image": _("照片像素过大")})
            img = ImageOps.exif_transpose(img)
            img.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
            out = io.BytesIO()
            if img.mode in ("RGBA", "LA", "P") and fmt == "PNG":
                img.save(out, format="PNG", optimize=True)
                ext = "png"
            else:
                img.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
                ext = "jpg"
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError({"image": _("文件不是有效的图片")})
    return out.getvalue(), ext


@transaction.atomic
def photo_add(
    *, actor: AbstractBaseUser, activity: Activity, image: UploadedFile, caption: str, credit: str = "",
) -> Photo:
    _require_role(actor, activity.org)
    caption = _clean(caption)
    if not caption:
        raise ValidationError({"caption": _("请填写图片说明")})
    content, ext = _normalised_image(image)
    activity = _lock(activity)
    position = (activity.photos.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    photo = Photo(activity=activity, caption=caption, credit=_clean(credit), position=position,
                  uploaded_by=actor if getattr(actor, "is_authenticated", False) else None)
    photo.image.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(content), save=False)
    photo.full_clean()
    photo.save()
    audit(actor=actor, action="activities.photo.add", org=activity.org, target=photo,
          after={"caption": photo.caption, "credit": photo.credit, "file": photo.image.name})
    return photo


@transaction.atomic
def photo_update(
    *, actor: AbstractBaseUser, photo: Photo, caption: str | None = None, credit: str | None = None,
    position: int | None = None,
) -> Photo:
    _require_role(actor, photo.activity.org)
    before = snapshot(photo, ["caption", "credit", "position"])
    if caption is not None:
        photo.caption = _clean(caption)
    if credit is not None:
        photo.credit = _clean(credit)
    if position is not None:
        photo.position = position
    photo.full_clean()
    photo.save()
    audit(actor=actor, action="activities.photo.update", org=photo.activity.org, target=photo, before=before,
          after=snapshot(photo, ["caption", "credit", "position"]))
    return photo


@transaction.atomic
def photo_delete(*, actor: AbstractBaseUser, photo: Photo) -> None:
    _require_role(actor, photo.activity.org)
    name = photo.image.name
    storage = photo.image.storage
    audit(actor=actor, action="activities.photo.delete", org=photo.activity.org, target=photo,
          before={"caption": photo.caption, "credit": photo.credit, "file": name})
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))
