import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gonghui.core.errors import ConflictError, DomainError, NotFound, PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.core.testing import make_id_number, make_member
from gonghui.orgs import selectors, services
from gonghui.orgs.models import Member, MemberTransfer, Organisation


def test_org_create_under_scope_is_audited(tree, sy_staff):
    org = services.org_create(actor=sy_staff, parent=tree["SY"], code="SY-NEW", name="新企业工会", type="base",
                              uscc="91110000600037341L")
    assert Organisation.objects.get_parent(org).code == "SY"
    assert org.name_initials == "xqygh"
    event = AuditEvent.objects.get(action="org.create", target_id=str(org.pk))
    assert event.actor == sy_staff and event.org_path == org.path and event.after["code"] == "SY-NEW"


def test_org_create_outside_scope_is_not_found(tree, sy_staff):
    with pytest.raises(NotFound):
        services.org_create(actor=sy_staff, parent=tree["HD"], code="X", name="x", type="base")


def test_viewer_cannot_write(tree, sy_viewer):
    with pytest.raises(PermissionDeniedError):
        services.org_create(actor=sy_viewer, parent=tree["SY"], code="X", name="x", type="base")


def test_org_create_validates(tree, sy_staff):
    with pytest.raises(ValidationError) as exc:
        services.org_create(actor=sy_staff, parent=tree["SY"], code="SY-GAS", name="重复", type="base")
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.org_create(actor=sy_staff, parent=tree["SY"], code="Y", name="y", type="base",
                            uscc="91110000600037341M")
    assert "校验位" in exc.value.message_dict["uscc"][0]
    with pytest.raises(ValidationError):
        services.org_create(actor=sy_staff, parent=tree["SY"], code="Z", name="z", type="nonsense")


def test_database_refuses_duplicate_code_and_bad_type(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=tree["SY-GAS"].pk).update(code="SY-WATER")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=tree["SY-GAS"].pk).update(type="nonsense")


def test_org_move_moves_subtree_and_audits(tree, root_user, member):
    services.org_move(actor=root_user, org=tree["SY-GAS"], new_parent=tree["HD"])
    gas = Organisation.objects.get(code="SY-GAS")
    assert Organisation.objects.get_parent(gas).code == "HD"
    assert selectors.member_list(actor=root_user).filter(org__path__startswith=Organisation.objects.get(code="HD").path).count() == 1
    assert AuditEvent.objects.filter(action="org.move", before__parent="SY", after__parent="HD").exists()


def test_org_move_refuses_cycle(tree, root_user):
    with pytest.raises(DomainError) as exc:
        services.org_move(actor=root_user, org=tree["SY"], new_parent=tree["SY-GAS"])
    assert exc.value.code == "cycle"


def test_member_create_derives_and_masks(tree, sy_staff):
    m = services.member_create(actor=sy_staff, org=tree["SY-GAS"], name="刘永涛", id_number="11010519491231002x",
                               phone="+86 139 1234 5678", trade="焊工")
    assert m.id_number == "11010519491231002X"
    assert m.id_number_masked == "110105********002X"
    assert m.phone_masked == "139****5678" and m.phone_last4 == "5678"
    assert m.gender == "female" and m.birth_date.isoformat() == "1949-12-31"
    assert (m.name_pinyin, m.name_initials) == ("liuyongtao", "lyt")
    assert len(m.card_no) == 12
    assert selectors.member_by_card_token(token=m.card_token) == m


def test_member_create_refuses_bad_id_with_reason(tree, sy_staff):
    with pytest.raises(ValidationError) as exc:
        services.member_create(actor=sy_staff, org=tree["SY-GAS"], name="x", id_number="110105194912310021",
                               phone="13912345678")
    assert exc.value.message_dict["id_number"] == ["身份证号码校验位错误：最后一位应为X"]
    assert Member.objects.count() == 0


def test_member_only_in_base_or_joint_union(tree, sy_staff):
    with pytest.raises(ValidationError) as exc:
        services.member_create(actor=sy_staff, org=tree["SY"], name="x", id_number=make_id_number(),
                               phone="13912345678")
    assert "基层工会" in exc.value.message_dict["org"][0]


def test_one_person_one_membership(tree, sy_staff, root_user, member):
    with pytest.raises(ConflictError) as exc:
        services.member_create(actor=root_user, org=tree["HD-PD"], name="刘永涛", id_number=member.id_number,
                               phone="13900000000")
    assert exc.value.code == "already_member"
    assert "燃气公司工会" in exc.value.message and "转接" in exc.value.message


def test_database_refuses_duplicate_id_hash(member):
    clone = Member.objects.get(pk=member.pk)
    clone.pk = None
    clone.card_no = "999999999999"
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_transfer_keeps_history(tree, root_user, member):
    t = services.member_transfer(actor=root_user, member=member, to_org=tree["SY-WATER"], reason="调动")
    member.refresh_from_db()
    assert member.org == tree["SY-WATER"]
    assert MemberTransfer.objects.get() == t and t.from_org == tree["SY-GAS"]
    with pytest.raises(DomainError) as exc:
        services.member_transfer(actor=root_user, member=member, to_org=tree["SY-WATER"])
    assert exc.value.code == "same_org"


def test_transfer_out_of_scope_is_not_found(tree, sy_staff, member):
    with pytest.raises(NotFound):
        services.member_transfer(actor=sy_staff, member=member, to_org=tree["HD-PD"])


def test_reveal_is_admin_only_and_audited(tree, sy_admin, sy_staff, member):
    with pytest.raises(PermissionDeniedError):
        services.member_reveal(actor=sy_staff, member=member)
    data = services.member_reveal(actor=sy_admin, member=member, purpose="核对")
    assert data["id_number"] == member.id_number
    assert AuditEvent.objects.filter(action="member.reveal_pii", actor=sy_admin, target_id=str(member.pk)).count() == 1


def test_member_update_revalidates(tree, sy_staff, member):
    m = services.member_update(actor=sy_staff, member=member, phone="13700001111", trade="电焊工")
    assert m.phone_masked == "137****1111" and m.trade == "电焊工"
    with pytest.raises(ValidationError):
        services.member_update(actor=sy_staff, member=member, phone="123")


def test_search_by_pinyin_initials_and_phone(tree, root_user):
    a = make_member(org=tree["SY-GAS"], name="刘永涛", actor=root_user, phone="13911112222")
    make_member(org=tree["SY-GAS"], name="王芳", actor=root_user)
    qs = selectors.member_list(actor=root_user)
    assert list(qs.filter(selectors.member_search_q("lyt"))) == [a]
    assert list(qs.filter(selectors.member_search_q("liuyong"))) == [a]
    assert list(qs.filter(selectors.member_search_q("2222"))) == [a]
    assert list(qs.filter(selectors.member_search_q("永涛"))) == [a]


def test_forged_card_token_is_refused(member):
    assert selectors.member_by_card_token(token=member.card_token + "x") is None
    member.card_nonce = "deadbeef"
    member.save()
    assert selectors.member_by_card_token(token=Member.objects.get(pk=member.pk).card_token) == member


def test_staff_create_and_grant(tree):
    user, password = services.staff_create(actor=None, username="new_staff", org=tree["HD"], role="viewer")
    assert password and user.check_password(password)
    assert AuditEvent.objects.filter(action="role.grant", org=tree["HD"]).exists()
