"""Services of activities: capacity, waitlist order, cancellation, eligibility, window, check-in, photos."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404
from PIL import Image

from gonghui.activities import selectors, services
from gonghui.activities.models import Activity, Signup
from gonghui.core.errors import ConflictError, DomainError, NotFound, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.testing import make_member, make_user

from .conftest import NOW, make_activity


def sign(activity, member, actor, now=NOW):
    return services.signup_create(actor=actor, activity=activity, member=member, now=now)


def statuses(activity):
    return [(s.member.name, s.status) for s in selectors.signup_list(activity=activity)]


# ---------------------------------------------------------------- capacity and waitlist


def test_capacity_then_waitlist_in_request_order(activity, gas_members, sy_staff):
    results = [sign(activity, m, sy_staff) for m in gas_members[:5]]
    assert [s.status for s in results] == ["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert [s.seq for s in results] == [1, 2, 3, 4, 5]
    waiting = selectors.signup_list(activity=activity, status="waitlisted")
    assert [(s.member.name, s.waitlist_position) for s in waiting] == [("李强", 1), ("张磊", 2), ("陈军", 3)]


def test_cancelling_a_confirmed_place_promotes_the_first_waiting(activity, gas_members, sy_staff):
    s = [sign(activity, m, sy_staff) for m in gas_members[:5]]
    later = NOW + dt.timedelta(hours=1)
    services.signup_cancel(actor=sy_staff, signup=s[1], now=later)
    assert statuses(activity) == [("刘永涛", "confirmed"), ("王伟", "cancelled"), ("李强", "confirmed"),
                                  ("张磊", "waitlisted"), ("陈军", "waitlisted")]
    promoted = Signup.objects.get(pk=s[2].pk)
    assert promoted.promoted_at == later and promoted.confirmed_at == later
    assert AuditEvent.objects.filter(action="activities.signup.promote", target_id=str(s[2].pk)).count() == 1
    # Cancelling a waiting request frees no place: nobody moves.
    services.signup_cancel(actor=sy_staff, signup=s[3], now=later)
    assert Signup.objects.get(pk=s[4].pk).status == "waitlisted"
    assert selectors.member_signup(activity=activity, member=gas_members[4]).waitlist_position == 1


def test_signing_up_again_after_cancelling_joins_the_end_of_the_queue(activity, gas_members, sy_staff):
    s = [sign(activity, m, sy_staff) for m in gas_members[:3]]
    services.signup_cancel(actor=sy_staff, signup=s[0], now=NOW)      # 李强 promoted
    again = sign(activity, gas_members[0], sy_staff)
    assert again.pk == s[0].pk and again.status == "waitlisted" and again.seq == 4
    assert Signup.objects.filter(activity=activity, member=gas_members[0]).count() == 1


def test_double_signup_is_refused(activity, member, sy_staff):
    sign(activity, member, sy_staff)
    with pytest.raises(ConflictError) as exc:
        sign(activity, member, sy_staff)
    assert exc.value.code == "already_signed_up" and exc.value.status == 409


def test_cancel_twice_and_after_checkin(activity, member, gas_members, sy_staff):
    s = sign(activity, member, sy_staff)
    services.signup_cancel(actor=sy_staff, signup=s, now=NOW)
    with pytest.raises(ConflictError) as exc:
        services.signup_cancel(actor=sy_staff, signup=s, now=NOW)
    assert exc.value.code == "already_cancelled"
    t = sign(activity, gas_members[0], sy_staff)
    services.signup_checkin(actor=sy_staff, signup=t, now=activity.starts_at)
    with pytest.raises(ConflictError) as exc:
        services.signup_cancel(actor=sy_staff, signup=t, now=activity.starts_at)
    assert exc.value.code == "already_checked_in"


def test_raising_capacity_promotes_and_lowering_below_confirmed_is_refused(activity, gas_members, sy_staff):
    for m in gas_members[:5]:
        sign(activity, m, sy_staff)
    services.activity_update(actor=sy_staff, activity=activity, capacity=4)
    assert [st for _, st in statuses(activity)] == ["confirmed"] * 4 + ["waitlisted"]
    with pytest.raises(ValidationError) as exc:
        services.activity_update(actor=sy_staff, activity=activity, capacity=3)
    assert exc.value.message_dict["capacity"] == ["已有4人报名成功，名额不能少于4人"]
    services.activity_update(actor=sy_staff, activity=activity, capacity=None)   # no limit: all move up
    assert [st for _, st in statuses(activity)] == ["confirmed"] * 5


def test_reopening_sign_up_keeps_the_queue(activity, gas_members, sy_staff):
    for m in gas_members[:3]:
        sign(activity, m, sy_staff)
    services.activity_set_status(actor=sy_staff, activity=activity, status="closed")
    with pytest.raises(ConflictError) as exc:
        sign(activity, gas_members[3], sy_staff)
    assert (exc.value.code, exc.value.message) == ("closed", "报名已截止")
    # The waitlist is still served while sign-up is closed.
    services.signup_cancel(actor=sy_staff, signup=Signup.objects.get(activity=activity, seq=1), now=NOW)
    assert Signup.objects.get(activity=activity, seq=3).status == "confirmed"
    services.activity_set_status(actor=sy_staff, activity=activity, status="published")
    assert sign(activity, gas_members[3], sy_staff).status == "waitlisted"


# ---------------------------------------------------------------- window and eligibility


def test_signup_window(tree, sy_staff, member):
    a = make_activity(actor=sy_staff, org=tree["SY"], signup_opens_at=NOW + dt.timedelta(days=1),
                      signup_closes_at=NOW + dt.timedelta(days=2))
    with pytest.raises(ConflictError) as exc:
        sign(a, member, sy_staff, now=NOW)
    assert (exc.value.code, exc.value.message) == ("not_open", "报名尚未开始")
    assert sign(a, member, sy_staff, now=NOW + dt.timedelta(days=1)).status == "confirmed"
    services.signup_cancel(actor=sy_staff, signup=Signup.objects.get(activity=a), now=NOW)
    with pytest.raises(ConflictError) as exc:
        sign(a, member, sy_staff, now=NOW + dt.timedelta(days=2))
    assert exc.value.code == "closed"


@pytest.mark.parametrize(("status", "message"), [("draft", "活动尚未发布，暂不能报名")])
def test_draft_refuses_signup(tree, sy_staff, member, status, message):
    a = make_activity(actor=sy_staff, org=tree["SY"], status=status)
    with pytest.raises(ConflictError) as exc:
        sign(a, member, sy_staff)
    assert (exc.value.code, exc.value.message) == ("closed", message)


def test_eligibility_subtree_and_units(tree, sy_staff, root_user, member):
    water = make_member(org=tree["SY-WATER"], name="赵水", actor=root_user)
    hd = make_member(org=tree["HD-PD"], name="王警官", actor=root_user)
    gas_only = make_activity(actor=sy_staff, org=tree["SY-GAS"], audience_type="subtree")
    assert sign(gas_only, member, sy_staff).status == "confirmed"
    with pytest.raises(DomainError) as exc:
        sign(gas_only, water, sy_staff)
    assert (exc.value.code, exc.value.message) == ("not_eligible", "赵水所在的水务公司工会不在本活动的参加范围内")
    units = make_activity(actor=sy_staff, org=tree["SY"], audience_type="units",
                          audience_units=[tree["SY-WATER"]])
    assert sign(units, water, sy_staff).status == "confirmed"
    with pytest.raises(DomainError) as exc:
        sign(units, member, sy_staff)
    assert exc.value.code == "not_eligible"
    # An HD member is outside SY staff's scope altogether; the audience rule refuses too.
    with pytest.raises(DomainError):
        sign(units, hd, sy_staff)


def test_member_who_left_cannot_sign_up(activity, tree, root_user, sy_staff):
    gone = make_member(org=tree["SY-GAS"], name="钱离", actor=root_user, status="left")
    with pytest.raises(DomainError) as exc:
        sign(activity, gone, sy_staff)
    assert (exc.value.code, exc.value.message) == ("not_eligible", "钱离的会员状态为“已退会”，不能报名")


def test_units_audience_needs_a_unit_and_scope(tree, sy_staff):
    with pytest.raises(ValidationError) as exc:
        make_activity(actor=sy_staff, org=tree["SY"], audience_type="units")
    assert exc.value.message_dict["audience_units"] == ["请至少指定一个参加单位"]
    with pytest.raises(DomainError) as exc:
        make_activity(actor=sy_staff, org=tree["SY"], audience_type="units", audience_units=[tree["HD-PD"]])
    assert exc.value.code == "org_out_of_scope"


# ---------------------------------------------------------------- who may sign up whom


def test_member_signs_themselves_up_and_cancels_until_start(activity, member):
    user = make_user("liu", role=None)
    member.user = user
    member.save(update_fields=["user"])
    s = services.signup_create(actor=user, activity=activity, member=member, now=NOW)
    assert (s.status, s.source, s.signed_up_by) == ("confirmed", "self", user)
    with pytest.raises(ConflictError) as exc:
        services.signup_cancel(actor=user, signup=s, now=activity.starts_at)
    assert exc.value.code == "started"
    services.signup_cancel(actor=user, signup=s, now=activity.starts_at - dt.timedelta(minutes=1))


def test_a_worker_cannot_sign_up_someone_else(activity, member, gas_members, sy_viewer, hd_staff):
    other = make_user("other", role=None)
    gas_members[0].user = other
    gas_members[0].save(update_fields=["user"])
    with pytest.raises(NotFound):
        services.signup_create(actor=other, activity=activity, member=member, now=NOW)
    with pytest.raises(PermissionDeniedError):
        services.signup_create(actor=sy_viewer, activity=activity, member=member, now=NOW)
    with pytest.raises(NotFound):
        services.signup_create(actor=hd_staff, activity=activity, member=member, now=NOW)


# ---------------------------------------------------------------- attendance


def test_checkin_by_token_and_card_number(activity, gas_members, sy_staff):
    a, b, c = (sign(activity, m, sy_staff) for m in gas_members[:3])
    at = activity.starts_at - dt.timedelta(minutes=30)
    s = services.attendance_checkin(actor=sy_staff, activity=activity, card=gas_members[0].card_token, now=at)
    assert (s.pk, s.checkin_method, s.checked_in_at) == (a.pk, "card", at)
    s = services.attendance_checkin(actor=sy_staff, activity=activity, card=f" {gas_members[1].card_no} ", now=at)
    assert (s.pk, s.checkin_method) == (b.pk, "card_no")
    cases = [
        (gas_members[0].card_token, "already_checked_in"),
        (gas_members[2].card_token, "waitlisted"),
        (gas_members[3].card_token, "not_signed_up"),
        ("000000000000", "unknown_card"),
        ("forged-token", "unknown_card"),
        ("", "invalid"),
    ]
    for card, code in cases:
        with pytest.raises(DomainError) as exc:
            services.attendance_checkin(actor=sy_staff, activity=activity, card=card, now=at)
        assert exc.value.code == code, card
    with pytest.raises(ConflictError) as exc:
        services.signup_checkin(actor=sy_staff, signup=c, now=activity.starts_at - dt.timedelta(hours=3))
    assert exc.value.code in ("checkin_not_open", "waitlisted")
    assert selectors.activity_stats(activity=activity)["attended"] == 2
    services.signup_checkin_undo(actor=sy_staff, signup=a)
    assert selectors.activity_stats(activity=activity)["attended"] == 1


def test_checkin_too_early(activity, member, sy_staff):
    s = sign(activity, member, sy_staff)
    with pytest.raises(ConflictError) as exc:
        services.signup_checkin(actor=sy_staff, signup=s, now=activity.starts_at - dt.timedelta(hours=3))
    assert (exc.value.code, exc.value.message) == ("checkin_not_open", "签到将于活动开始前2小时开放")


# ---------------------------------------------------------------- constraints


def test_unique_signup_constraint_both_paths(activity, member, sy_staff):
    s = sign(activity, member, sy_staff)
    dup = Signup(activity=activity, member=member, status="waitlisted", seq=99, requested_at=NOW)
    with pytest.raises(ValidationError) as exc:
        dup.full_clean()
    assert "该会员已报名此活动" in str(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signup.objects.create(activity=activity, member=member, status="waitlisted", seq=99, requested_at=NOW)
    assert s.pk


def test_checkin_only_confirmed_constraint_both_paths(activity, member, sy_staff):
    s = sign(activity, member, sy_staff)
    s.status = "waitlisted"
    s.checked_in_at = NOW
    with pytest.raises(ValidationError) as exc:
        s.full_clean()
    assert "只有已确认的报名才能签到" in str(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        s.save()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("ends_at", NOW, "结束时间必须晚于开始时间"),
    ("capacity", 0, "名额至少为1人，不限名额请留空"),
    ("cost", Decimal("-1"), "预算金额不能为负数"),
    ("signup_closes_at", NOW + dt.timedelta(days=30), "报名截止时间不能晚于活动开始时间"),
])
def test_activity_constraints_both_paths(activity, field, value, message):
    setattr(activity, field, value)
    with pytest.raises(ValidationError) as exc:
        activity.full_clean()
    assert message in str(exc.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(**{field: value})


# ---------------------------------------------------------------- status, audit


def test_status_transitions_and_audit(activity, sy_staff):
    services.activity_set_status(actor=sy_staff, activity=activity, status="finished")
    with pytest.raises(ConflictError) as exc:
        services.activity_set_status(actor=sy_staff, activity=activity, status="published")
    assert exc.value.message == "活动状态不能从“已结束”改为“报名中”"
    with pytest.raises(ConflictError) as exc:
        services.activity_update(actor=sy_staff, activity=activity, place="别处")
    assert exc.value.code == "not_editable"
    actions = list(AuditEvent.objects.filter(target_id=str(activity.pk), target_type="activities.activity")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["activities.activity.create", "activities.activity.finished"]


def test_theme_keeps_chinese_punctuation_and_gets_pinyin(activity):
    assert activity.theme == "重温抗战历史，增强实干精神"
    assert activity.theme_initials == "cwkzlszqsgjs"
    assert list(Activity.objects.filter(selectors.activity_search_q("cwkz"))) == [activity]
    assert list(Activity.objects.filter(selectors.activity_search_q("kangzhan"))) == [activity]


# ---------------------------------------------------------------- member reads


def test_activities_for_member_and_open_list(tree, sy_staff, gas_members, root_user):
    a = make_activity(actor=sy_staff, org=tree["SY"], capacity=1, theme="安全生产专题培训", kind="training")
    b = make_activity(actor=sy_staff, org=tree["SY-WATER"], theme="水务讲座", kind="lecture")
    draft = make_activity(actor=sy_staff, org=tree["SY"], status="draft", theme="草稿活动")
    sign(a, gas_members[0], sy_staff)
    sign(a, gas_members[1], sy_staff)
    rows = list(selectors.activities_for_member(gas_members[1]))
    assert [(r.activity.theme, r.status, r.waitlist_position) for r in rows] == [("安全生产专题培训", "waitlisted", 1)]
    open_ = list(selectors.activities_open_for_member(member=gas_members[1], now=NOW))
    assert open_ == [a]                         # not b (another unit), not the draft
    assert open_[0].confirmed_count == 1 and open_[0].waitlist_count == 1
    with pytest.raises(Http404):
        selectors.activity_for_member_get(member=gas_members[1], pk=b.pk)
    with pytest.raises(Http404):
        selectors.activity_for_member_get(member=gas_members[1], pk=draft.pk)
    assert selectors.activity_for_member_get(member=gas_members[1], pk=a.pk) == a


# ---------------------------------------------------------------- photos


def _image(fmt="JPEG", size=(800, 600), exif=False) -> SimpleUploadedFile:
    buf = io.BytesIO()
    img = Image.new("RGB", size, (200, 30, 30))
    kwargs = {}
    if exif:
        ex = Image.Exif()
        ex[0x010F] = "TestCam"
        kwargs["exif"] = ex
    img.save(buf, format=fmt, **kwargs)
    ext = {"JPEG": "jpg", "PNG": "png", "GIF": "gif"}[fmt]
    return SimpleUploadedFile(f"p.{ext}", buf.getvalue(), content_type=f"image/{ext}")


def test_photo_is_validated_and_stripped_of_metadata(activity, sy_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = services.photo_add(actor=sy_staff, activity=activity, image=_image(exif=True),
                               caption="参观中国人民抗日战争纪念馆", credit="本报记者 孙妍 / 通讯员 田文江 摄影报道")
    assert (photo.width, photo.height, photo.position) == (800, 600, 1)
    with Image.open(photo.image.path) as saved:
        assert saved.format == "JPEG" and not saved.getexif()
    with pytest.raises(ValidationError) as exc:
        services.photo_add(actor=sy_staff, activity=activity, image=_image("GIF"), caption="x")
    assert exc.value.message_dict["image"] == ["只支持JPG、PNG或WebP格式的照片"]
    fake = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.photo_add(actor=sy_staff, activity=activity, image=fake, caption="x")
    assert exc.value.message_dict["image"] == ["文件不是有效的图片"]
    with pytest.raises(ValidationError) as exc:
        services.photo_add(actor=sy_staff, activity=activity, image=_image(), caption="  ")
    assert exc.value.message_dict["caption"] == ["请填写图片说明"]
    settings_max = services.MAX_PHOTO_BYTES
    services.MAX_PHOTO_BYTES = 100
    try:
        with pytest.raises(ValidationError) as exc:
            services.photo_add(actor=sy_staff, activity=activity, image=_image(), caption="x")
        assert exc.value.message_dict["image"] == ["照片不能超过0MB"] or "照片不能超过" in str(exc.value)
    finally:
        services.MAX_PHOTO_BYTES = settings_max
    path = photo.image.path
    with transaction.atomic():
        services.photo_delete(actor=sy_staff, photo=photo)
    assert activity.photos.count() == 0
    del path
