from django.db import connection

from gonghui.core import scope
from gonghui.core.crypto import decrypt, encrypt, lookup_hash
from gonghui.core.testing import make_user
from gonghui.orgs.models import Member, Organisation


def test_encrypt_round_trip_and_is_not_plain():
    token = encrypt("11010519491231002X")
    assert "11010519491231002X" not in token
    assert decrypt(token) == "11010519491231002X"
    assert encrypt("x") != encrypt("x")  # randomised


def test_lookup_hash_is_keyed_and_separates_kinds():
    assert lookup_hash("id", "1") == lookup_hash("id", "1")
    assert lookup_hash("id", "1") != lookup_hash("phone", "1")


def test_database_holds_no_plain_id_or_phone(member):
    member.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Member._meta.db_table}")
        rows = cursor.fetchall()
        cursor.execute("SELECT before, after FROM core_auditevent")
        audit_rows = cursor.fetchall()
    dump = repr(rows) + repr(audit_rows)
    assert member.id_number not in dump
    assert member.phone not in dump
    # but the model reads them back in clear
    assert len(Member.objects.get(pk=member.pk).id_number) == 18


def test_scope_paths_and_filter(tree, sy_staff, hd_staff, root_user):
    assert scope.scope_paths(root_user) is None
    assert scope.scope_paths(sy_staff) == [tree["SY"].path]
    qs = scope.scope_filter(Organisation.objects.all(), sy_staff, path_field="path")
    assert set(qs.values_list("code", flat=True)) == {"SY", "SY-GAS", "SY-WATER"}
    assert scope.has_role_on(sy_staff, tree["SY-GAS"])
    assert not scope.has_role_on(sy_staff, tree["HD-PD"])
    assert not scope.has_role_on(sy_staff, tree["BJ"])


def test_overlapping_roles_collapse(tree):
    user = make_user("multi", org=tree["SY"], role="staff")
    from gonghui.core.models import RoleAssignment

    RoleAssignment.objects.create(user=user, org=tree["SY-GAS"], role="viewer")
    RoleAssignment.objects.create(user=user, org=tree["HD-PD"], role="viewer")
    scope.forget_scope(user)
    assert scope.scope_paths(user) == sorted([tree["SY"].path, tree["HD-PD"].path])
    assert scope.scope_paths(user, ("staff",)) == [tree["SY"].path]


def test_anonymous_and_inactive_have_no_scope(tree):
    from django.contrib.auth.models import AnonymousUser

    assert scope.scope_paths(AnonymousUser()) == []
    user = make_user("gone", org=tree["SY"], role="admin")
    user.is_active = False
    assert scope.scope_paths(user) == []
