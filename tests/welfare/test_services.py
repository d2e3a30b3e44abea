import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gonghui.core.errors import ConflictError, DomainError, NotFound, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.testing import make_id_number, make_user
from gonghui.orgs.choices import MemberStatus
from gonghui.orgs.models import Member
from gonghui.welfare import selectors, services
from gonghui.welfare.models import Allotment, Issuance, Recipient, Stock, SyncConflict


def issue(world, member_or_spec, *, actor=None, point=None, key=None):
    spec = member_or_spec if isinstance(member_or_spec, dict) else {"card": member_or_spec.card_token}
    return services.issuance_create(
        actor=actor or world["dist"], campaign=world["campaign"], point=point or world["p_xs"],
        item=world["pack"], recipient=spec, idempotency_key=key or uuid.uuid4())


# ---------------------------------------------------------------- campaigns, items, allotments


def test_item_refuses_cash_and_cards(world, root_user):
    with pytest.raises(ValidationError) as exc:
        services.item_create(actor=root_user, campaign=world["campaign"], code="CARD", name="超市购物卡",
                             unit_cost=100)
    assert "购物卡" in exc.value.message_dict["name"][0]


def test_child_allotments_never_exceed_parent(world, root_user):
    # HD holds 200: 80 to HD-XS, 50 to HD-PD → 70 left.
    hd_allot = Allotment.objects.get(org=world["HD"], item=world["pack"])
    assert (hd_allot.quantity, hd_allot.distributed) == (200, 130)
    with pytest.raises(ConflictError) as exc:
        services.allotment_set(actor=root_user, item=world["pack"], org=world["HD-PD"], quantity=121)
    assert exc.value.code == "over_allotment"
    a = services.allotment_set(actor=root_user, item=world["pack"], org=world["HD-PD"], quantity=120)
    assert a.quantity == 120
    hd_allot.refresh_from_db()
    assert hd_allot.distributed == 200


def test_allotment_cannot_drop_below_distributed(world, root_user):
    # HD-XS received 10 into stock at P-XS.
    with pytest.raises(ConflictError) as exc:
        services.allotment_set(actor=root_user, item=world["pack"], org=world["HD-XS"], quantity=9)
    assert exc.value.code == "below_distributed"


def test_grandchild_draws_from_nearest_allotted_ancestor(world, root_user):
    a = services.allotment_set(actor=root_user, item=world["pack"], org=world["HD-XS-KD"], quantity=30)
    assert a.parent.org.code == "HD-XS"
    assert Allotment.objects.get(org=world["HD-XS"]).distributed == 40  # 10 stock + 30 child


def test_root_allotment_respects_budget(world, root_user):
    with pytest.raises(ConflictError) as exc:  # 60 × 334 = 20,040 > 20,000
        services.allotment_set(actor=root_user, item=world["pack"], org=world["HD"], quantity=334)
    assert exc.value.code == "over_budget"
    services.allotment_set(actor=root_user, item=world["pack"], org=world["HD"], quantity=333)


def test_staff_of_a_child_cannot_allot_to_itself(world):
    xs_staff = make_user("xs_staff", org=world["HD-XS"], role="staff")
    with pytest.raises(PermissionDeniedError):
        services.allotment_set(actor=xs_staff, item=world["pack"], org=world["HD-XS"], quantity=100)


def test_allotment_check_constraint_in_database(world):
    a = Allotment.objects.get(org=world["HD"], item=world["pack"])
    a.distributed = a.quantity + 1
    with pytest.raises(ValidationError):
        a.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Allotment.objects.filter(pk=a.pk).update(distributed=a.quantity + 1)


# ---------------------------------------------------------------- stock


def test_stock_receive_limited_by_allotment(world, root_user):
    with pytest.raises(ConflictError) as exc:  # HD-XS: 80 allotted, 10 received
        services.stock_receive(actor=root_user, point=world["p_xs"], item=world["pack"], quantity=71)
    assert exc.value.code == "over_allotment"
    s = services.stock_receive(actor=root_user, point=world["p_kd"], item=world["pack"], quantity=70)
    assert s.available == 70 and s.allotment.org.code == "HD-XS"


def test_stock_transfer_and_never_negative(world, root_user):
    src, dst = services.stock_transfer(actor=root_user, item=world["pack"], from_point=world["p_xs"],
                                       to_point=world["p_kd"], quantity=4)
    assert (src.available, dst.available) == (6, 4)
    with pytest.raises(ConflictError) as exc:
        services.stock_transfer(actor=root_user, item=world["pack"], from_point=world["p_xs"],
                                to_point=world["p_kd"], quantity=7)
    assert exc.value.code == "out_of_stock"


def test_stock_check_constraint_in_database(world):
    stock = Stock.objects.get(point=world["p_xs"])
    stock.issued = stock.received + 1
    with pytest.raises(ValidationError):
        stock.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(pk=stock.pk).update(issued=stock.received + 1)


# ---------------------------------------------------------------- issuance


def test_issue_once_then_already_issued_naming_where_and_when(world):
    m = world["members"][0]
    issuance, created = issue(world, m)
    assert created and issuance.seq == 1 and issuance.target_group == "new_form"
    with pytest.raises(ConflictError) as exc:
        issue(world, m, actor=world["dist_pd"], point=world["p_pd"])
    assert exc.value.code == "already_issued"
    assert exc.value.extra["point"] == {"code": "P-XS", "name": "学院路街道工会服务站"}
    assert "学院路街道工会服务站" in exc.value.message
    assert Stock.objects.get(point=world["p_pd"]).issued == 0


def test_card_and_id_number_are_the_same_person(world):
    m = world["members"][1]
    issue(world, {"id_number": m.id_number})
    with pytest.raises(ConflictError) as exc:
        issue(world, m)
    assert exc.value.code == "already_issued"
    with pytest.raises(ConflictError):
        issue(world, {"phone": m.phone})


def test_same_idempotency_key_returns_same_issuance_and_writes_nothing(world):
    key = uuid.uuid4()
    first, created = issue(world, world["members"][0], key=key)
    audits = AuditEvent.objects.count()
    again, created_again = issue(world, world["members"][0], key=key)
    assert created and not created_again and again.pk == first.pk
    assert Issuance.objects.count() == 1 and Stock.objects.get(point=world["p_xs"]).issued == 1
    assert AuditEvent.objects.count() == audits


def test_out_of_stock(world, root_user):
    services.stock_transfer(actor=root_user, item=world["pack"], from_point=world["p_xs"],
                            to_point=world["p_kd"], quantity=9)
    issue(world, world["members"][0])
    with pytest.raises(ConflictError) as exc:
        issue(world, world["members"][1])
    assert exc.value.code == "out_of_stock"
    assert Issuance.objects.count() == 1 and Stock.objects.get(point=world["p_xs"]).available == 0


def test_limit_two_allows_exactly_two(tree, root_user):
    from tests.welfare.conftest import build_world

    w = build_world(tree, root_user, limit=2)
    m = w["members"][0]
    assert issue(w, m)[0].seq == 1
    assert issue(w, m)[0].seq == 2
    with pytest.raises(ConflictError):
        issue(w, m)


def test_distributor_only_at_points_in_subtree(world):
    with pytest.raises(NotFound):
        issue(world, world["members"][0], actor=world["dist"], point=world["p_pd"])


def test_unique_constraint_in_database(world):
    issuance, _ = issue(world, world["members"][0])
    dup = Issuance(campaign=issuance.campaign, item=issuance.item, point=world["p_pd"],
                   recipient_key=issuance.recipient_key, seq=1, recipient_name="x",
                   issued_at=timezone.now(), idempotency_key=uuid.uuid4())
    with pytest.raises(ValidationError):
        dup.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        dup.save()


def test_unknown_card_and_bad_id(world):
    with pytest.raises(NotFound) as exc:
        issue(world, {"card": "forged"})
    assert exc.value.code == "recipient_not_found"
    with pytest.raises(DomainError) as exc:
        issue(world, {"id_number": "110105198001010000"})
    assert exc.value.code == "invalid"


# ---------------------------------------------------------------- non-members


def test_non_member_recorded_then_issued_and_membership_pending(world, root_user):
    number = make_id_number()
    r = services.recipient_register(actor=world["dist"], point=world["p_kd"], name="赵师傅", id_number=number,
                                    phone="13800001111", target_group="new_form", accept_membership=True)
    assert r.member_id is None  # a distributor only records the request
    issuance, _ = issue(world, {"id_number": number})
    assert issuance.recipient_id == r.pk and issuance.target_group == "new_form"
    with pytest.raises(ConflictError):
        issue(world, {"phone": "13800001111"})
    staff = make_user("kd_staff", org=world["HD-XS-KD"], role="staff")
    r = services.membership_confirm(actor=staff, recipient=r, org=world["HD-XS-KD"])
    member = Member.objects.get(pk=r.member_id)
    assert member.status == MemberStatus.PENDING and member.id_number_hash == r.key
    # Now a member: the card resolves to the same key, so still no second pack.
    with pytest.raises(ConflictError):
        issue(world, member)
    assert [i.item.code for i in selectors.issuances_for_member(member)] == ["PACK"]


def test_register_refuses_existing_member(world):
    with pytest.raises(ConflictError) as exc:
        services.recipient_register(actor=world["dist"], point=world["p_kd"], name="x",
                                    id_number=world["members"][0].id_number)
    assert exc.value.code == "already_member"
    assert Recipient.objects.count() == 0


# ---------------------------------------------------------------- sync


def rec(spec, *, key=None, item="PACK", at=None):
    return {"idempotency_key": str(key or uuid.uuid4()), "recipient": spec, "item": item,
            "issued_at": (at or timezone.now() - dt.timedelta(minutes=5)).isoformat()}


def test_sync_classifies_every_record(world):
    m = world["members"]
    done, _ = issue(world, m[0], actor=world["dist_pd"], point=world["p_pd"])
    k = uuid.uuid4()
    records = [
        rec({"card": m[1].card_token}, key=k),
        rec({"card": m[1].card_token}, key=k),            # same key twice in the batch
        rec({"card": m[0].card_token}),                   # served at P-PD already
        rec({"id_number": m[2].id_number}),
        rec({"id_number": m[2].id_number}),               # same person again offline
        rec({"phone": "13900000000"}),                    # nobody
        rec({"card": m[3].card_token}, item="NOPE"),
        {"idempotency_key": str(done.idempotency_key), "recipient": {"card": m[0].card_token}, "item": "PACK",
         "issued_at": timezone.now().isoformat()},        # a key the server holds
    ]
    results = services.sync_records(actor=world["dist"], campaign=world["campaign"], point=world["p_xs"],
                                    records=records)
    assert [r["status"] for r in results] == ["issued", "duplicate_key", "already_issued", "issued",
                                              "already_issued", "invalid", "invalid", "duplicate_key"]
    assert results[2]["point"]["code"] == "P-PD"
    assert results[4]["point"]["code"] == "P-XS"
    assert Stock.objects.get(point=world["p_xs"]).issued == 2
    assert Issuance.objects.filter(point=world["p_xs"]).count() == 2
    assert SyncConflict.objects.filter(reason="already_issued").count() == 2
    again = services.sync_records(actor=world["dist"], campaign=world["campaign"], point=world["p_xs"],
                                  records=records)
    assert [r["status"] for r in again][:4] == ["duplicate_key", "duplicate_key", "already_issued", "duplicate_key"]
    assert Issuance.objects.count() == 3 and SyncConflict.objects.count() == 2


def test_sync_out_of_stock_keeps_earliest(world, root_user):
    services.stock_transfer(actor=root_user, item=world["pack"], from_point=world["p_xs"],
                            to_point=world["p_kd"], quantity=8)  # 2 left
    now = timezone.now()
    m = world["members"]
    records = [rec({"card": m[i].card_token}, at=now - dt.timedelta(minutes=10 - i)) for i in (2, 0, 1)]
    results = services.sync_records(actor=world["dist"], campaign=world["campaign"], point=world["p_xs"],
                                    records=records)
    # Ordered by issued_at: m0, m1 get the two packs; m2 (the latest) is out of stock.
    assert [r["status"] for r in results] == ["out_of_stock", "issued", "issued"]
    assert Stock.objects.get(point=world["p_xs"]).available == 0


def test_conflict_resolve(world):
    issue(world, world["members"][0], actor=world["dist_pd"], point=world["p_pd"])
    services.sync_records(actor=world["dist"], campaign=world["campaign"], point=world["p_xs"],
                          records=[rec({"card": world["members"][0].card_token})])
    c = SyncConflict.objects.get()
    services.conflict_resolve(actor=world["dist"], conflict=c, resolution="已追回清凉包")
    with pytest.raises(ConflictError):
        services.conflict_resolve(actor=world["dist"], conflict=c, resolution="again")


# ---------------------------------------------------------------- progress and visits


def test_progress_subtree(world, root_user):
    m = world["members"]
    issue(world, m[0])
    issue(world, m[1])
    issue(world, m[2], actor=world["dist_pd"], point=world["p_pd"])
    p = selectors.progress(actor=root_user, campaign=world["campaign"], org_code="HD")
    assert (p["allotted"], p["issued"], p["remaining"]) == (200, 3, 197)
    assert {c["org"]: (c["allotted"], c["issued"]) for c in p["children"]} == {"HD-PD": (50, 1), "HD-XS": (80, 2)}
    assert p["by_target_group"] == [{"target_group": "new_form", "label": "新就业形态劳动者", "issued": 3}]
    assert sum(d["issued"] for d in p["by_day"]) == 3
    x = selectors.progress(actor=root_user, campaign=world["campaign"], org_code="HD-XS")
    assert (x["allotted"], x["issued"], x["remaining"], x["in_stock"]) == (80, 2, 78, 8)


def test_care_visit(world, root_user):
    v = services.care_visit_create(
        actor=root_user, campaign=world["campaign"], org=world["HD"], visited_org=world["HD-PD"], visited_unit="",
        visitors="区总工会主席", visited_at=timezone.now(), people_count=30, gifts="清凉包", gift_value=Decimal("1800"))
    assert v.visited_unit == "海淀派出所工会"
    p = selectors.progress(actor=root_user, campaign=world["campaign"], org_code="HD-PD")
    assert (p["visits"], p["visited_people"]) == (1, 30)
    with pytest.raises(ValidationError):
        services.care_visit_create(actor=root_user, campaign=world["campaign"], org=world["HD"], visited_unit="x",
                                   visitors="y", visited_at=timezone.now(), gifts="购物卡")
