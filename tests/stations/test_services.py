import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gonghui.core.errors import ConflictError, DomainError, NotFound, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.testing import make_user
from gonghui.stations import rules, services
from gonghui.stations.models import HoursException, Inspection, Rating, Station, StationChange, Visit

from .conftest import add_station


def test_create_converts_coordinates_to_wgs84(tree, sy_staff):
    glat, glng = rules.wgs84_to_gcj02(40.13, 116.654)
    s = services.station_create(actor=sy_staff, org=tree["SY-GAS"], name="甲驿站", address="顺义",
                                lat=glat, lng=glng, crs="gcj02", amenities="water, toilet", hours_text="24小时")
    assert abs(s.lat - Decimal("40.13")) < Decimal("0.000001")
    assert abs(s.lng - Decimal("116.654")) < Decimal("0.000001")
    assert s.amenities == ["water", "toilet"]
    assert s.always_open and s.hours_text == "24小时"
    assert s.code == "SY-GAS-Z0001"
    assert s.name_pinyin == "jiayizhan" and s.name_initials == "jyz"
    assert AuditEvent.objects.filter(action="station.create", target_id=str(s.pk)).exists()
    assert StationChange.objects.filter(station_id=s.pk).exists()


def test_create_refuses_out_of_scope_and_viewer(tree, hd_staff, sy_viewer):
    with pytest.raises(NotFound):
        services.station_create(actor=hd_staff, org=tree["SY-GAS"], name="x", address="x", lat=40, lng=116)
    with pytest.raises(PermissionDeniedError):
        services.station_create(actor=sy_viewer, org=tree["SY-GAS"], name="x", address="x", lat=40, lng=116)


def test_create_validation_messages(tree, sy_staff):
    with pytest.raises(ValidationError) as e:
        services.station_create(actor=sy_staff, org=tree["SY"], name="x", address="x", lat=91, lng=116)
    assert e.value.message_dict == {"lat": ["纬度应在-90到90之间"]}
    with pytest.raises(ValidationError) as e:
        services.station_create(actor=sy_staff, org=tree["SY"], name="x", address="x", lat=40, lng=116,
                                amenities="water,sauna")
    assert e.value.message_dict == {"amenities": ["未知的服务设施：sauna"]}
    with pytest.raises(ValidationError) as e:
        services.station_create(actor=sy_staff, org=tree["SY"], name="x", address="x", lat=40, lng=116,
                                hours_text="周一 25:00-26:00")
    assert "不存在" in e.value.message_dict["hours_text"][0]
    # Chinese amenity labels are accepted too
    s = services.station_create(actor=sy_staff, org=tree["SY"], name="x", address="x", lat=40, lng=116,
                                amenities="饮水、厕所")
    assert s.amenities == ["water", "toilet"]


def test_keeper_needs_role(tree, sy_staff):
    nobody = make_user("nobody", role=None)
    with pytest.raises(DomainError) as e:
        services.station_create(actor=sy_staff, org=tree["SY"], name="x", address="x", lat=40, lng=116,
                                keeper=nobody)
    assert e.value.code == "keeper_role_missing"


def test_constraints_both_paths(tree):
    s = add_station(tree["SY"], "约束驿站", 40, 116, code="C-1")
    s.lat = Decimal("95")
    with pytest.raises(ValidationError) as e:
        s.full_clean()
    assert "纬度应在-90到90之间" in str(e.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Station.objects.filter(pk=s.pk).update(lat=Decimal("95"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Station.objects.filter(pk=s.pk).update(status="gone")
    with pytest.raises(IntegrityError), transaction.atomic():
        Station.objects.filter(pk=s.pk).update(amenity_bits=1 << 40)


def test_keeper_sets_hours_status_and_exceptions(world):
    keeper, s = world["keeper"], world["weekdays"]
    services.station_set_hours(actor=keeper, station=s, hours_text="周一至周六 07:00-21:00")
    s.refresh_from_db()
    assert s.hours_text == "周一至周六 07:00-21:00"
    services.station_set_status(actor=keeper, station=s, status="closed_temporarily")
    s.refresh_from_db()
    assert s.status == "closed_temporarily"
    with pytest.raises(PermissionDeniedError):
        services.station_set_status(actor=keeper, station=s, status="closed")
    services.hours_exception_set(actor=keeper, station=s, date=dt.date(2025, 10, 1), reason="国庆")
    services.hours_exception_set(actor=keeper, station=s, date=dt.date(2025, 10, 1), hours_text="10:00-14:00")
    exc = HoursException.objects.get(station=s)
    assert exc.intervals == [[600, 840]] and exc.reason == ""
    # a keeper of another station cannot touch this one
    with pytest.raises(NotFound):  # another organisation's station
        services.station_set_hours(actor=keeper, station=world["night"], hours_text="24小时")
    other = add_station(world["tree"]["SY-GAS"], "同组织另一驿站", 40.2, 116.6, code="SY-009")
    with pytest.raises(PermissionDeniedError):  # same organisation, not their station
        services.station_set_hours(actor=keeper, station=other, hours_text="24小时")
    assert AuditEvent.objects.filter(action="station.status", actor=keeper).count() == 1


def test_exception_unique_constraint(world):
    s = world["weekdays"]
    HoursException.objects.create(station=s, date=dt.date(2025, 1, 1))
    dup = HoursException(station=s, date=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError) as e:
        dup.full_clean()
    assert "该日期已设置特殊营业时间" in str(e.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        HoursException.objects.create(station=s, date=dt.date(2025, 1, 1))


def test_inspection_updates_checklist(world, sy_staff, hd_staff):
    s = world["weekdays"]
    checklist = {"has_sign": True, "has_fixed_place": True, "has_facilities": True, "has_rules": True,
                 "has_keeper": True, "on_map": False}
    i = services.inspection_create(actor=sy_staff, station=s, inspected_on=dt.date(2025, 6, 1), stars=4,
                                   checklist=checklist)
    s.refresh_from_db()
    assert not i.passed and s.on_map is False and s.has_sign is True
    # an older inspection does not overwrite the station's current checklist
    services.inspection_create(actor=sy_staff, station=s, inspected_on=dt.date(2025, 5, 1), stars=5,
                               checklist=dict.fromkeys(checklist, True))
    s.refresh_from_db()
    assert s.on_map is False
    with pytest.raises(NotFound):
        services.inspection_create(actor=hd_staff, station=s, inspected_on=dt.date(2025, 6, 1), stars=3, checklist={})
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspection.objects.filter(pk=i.pk).update(stars=6)


def test_rating_one_per_device_per_day(world):
    s = world["hd"]
    services.rating_submit(station=s, device="dev-a", stars=5, comment="很好", ip="1.1.1.1")
    with pytest.raises(ConflictError) as e:
        services.rating_submit(station=s, device="dev-a", stars=4, ip="1.1.1.1")
    assert e.value.code == "already_rated"
    with pytest.raises(DomainError) as e:
        services.rating_submit(station=s, device="dev-b", stars=6, ip="1.1.1.2")
    assert e.value.code == "invalid_stars"
    with pytest.raises(DomainError) as e:
        services.rating_submit(station=s, device="dev-b", stars=3, comment="长" * 201, ip="1.1.1.2")
    assert e.value.code == "too_long"
    r = Rating.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(station=s, device="dev-a", stars=3, day=r.day)
    dup = Rating(station=s, device="dev-a", stars=3, day=r.day)
    with pytest.raises(ValidationError):
        dup.full_clean()


def test_rating_rate_limit_per_ip_and_station(world):
    s = world["hd"]
    for i in range(5):
        services.rating_submit(station=s, device=f"d{i}", stars=5, ip="9.9.9.9")
    with pytest.raises(DomainError) as e:
        services.rating_submit(station=s, device="d99", stars=5, ip="9.9.9.9")
    assert e.value.code == "rate_limited" and e.value.status == 429


def test_problem_reports_and_flagging(world, sy_staff):
    from gonghui.stations import selectors

    s = world["allday"]
    s.has_sign = s.has_fixed_place = s.has_facilities = s.has_rules = s.has_keeper = s.on_map = True
    s.save()
    for i in range(3):
        services.problem_report_create(station=s, device=f"d{i}", kind="no_water", ip=f"2.2.2.{i}")
    with pytest.raises(ConflictError):
        services.problem_report_create(station=s, device="d0", kind="no_water", ip="2.2.2.0")
    with pytest.raises(DomainError) as e:
        services.problem_report_create(station=s, device="d9", kind="other", ip="2.2.2.9")
    assert e.value.code == "text_required"
    flagged = selectors.with_flags(selectors.station_list(actor=sy_staff)).filter(selectors.flagged_filter())
    assert s in flagged
    p = s.problems.first()
    services.problem_resolve(actor=sy_staff, problem=p, status="resolved", resolution="已送水")
    with pytest.raises(ConflictError):
        services.problem_resolve(actor=sy_staff, problem=p, status="resolved")
    flagged = selectors.with_flags(selectors.station_list(actor=sy_staff)).filter(selectors.flagged_filter())
    assert s not in flagged  # two open reports left, checklist passes


def test_visit_once_per_device_per_hour(world):
    s = world["hd"]
    t = dt.datetime(2025, 6, 2, 12, 10, tzinfo=rules.SHANGHAI)
    assert services.visit_record(station=s, device="a", at=t) is True
    assert services.visit_record(station=s, device="a", at=t + dt.timedelta(minutes=40)) is False
    assert services.visit_record(station=s, device="a", at=t + dt.timedelta(minutes=50)) is True
    assert services.visit_record(station=s, device="b", at=t) is True
    assert Visit.objects.count() == 3
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(station=s, device="b", hour=t.replace(minute=0))


def test_scope_of_station_list(world, sy_staff, hd_staff):
    from gonghui.stations import selectors

    assert set(selectors.station_list(actor=sy_staff).values_list("code", flat=True)) == {"SY-001", "SY-002", "SY-003"}
    assert set(selectors.station_list(actor=hd_staff).values_list("code", flat=True)) == {"HD-001"}
    assert set(selectors.station_list(actor=world["keeper"]).values_list("code", flat=True)) == {"SY-001"}
    assert set(selectors.station_list(actor=sy_staff).filter(
        selectors.station_search_q("shunyiranqi")).values_list("code", flat=True)) == {"SY-001"}
