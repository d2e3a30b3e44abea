"""Test helpers every app's tests use: an organisation tree, users with roles, the permission matrix.

The permission matrix (STYLE habit 9): each app's tests subclass `PermissionMatrix` and declare, per
endpoint or page, the URL of an object in scope and of one out of scope. The base checks:
anonymous → 401 (API) or redirect to login (pages); no role → 403 or 404; in scope → expected;
out of scope → 404.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from gonghui.core.choices import Role
from gonghui.core.validators import id_check_character

__all__ = ["Case", "PermissionMatrix", "make_id_number", "make_org", "make_user", "make_member"]

_seq = itertools.count(1)


def make_id_number(*, area: str = "110105", birth: str | None = None, female: bool = False) -> str:
    """A checksum-valid resident ID number, unique per call unless `birth` is given."""
    import datetime as dt

    n = next(_seq)
    if birth is None:
        birth = (dt.date(1980, 1, 1) + dt.timedelta(days=n // 400)).strftime("%Y%m%d")
    s = (n % 400) * 2 + (0 if female else 1)
    first17 = f"{area}{birth}{s % 1000:03d}"
    return first17 + id_check_character(first17)


def make_phone(n: int | None = None) -> str:
    return f"139{(next(_seq) if n is None else n):08d}"


def make_org(*, code: str, name: str | None = None, type: str = "base", parent=None, status: str = "active"):
    from gonghui.orgs.models import Organisation

    node = Organisation(code=code, name=name or code, type=type, status=status)
    if parent is None:
        return Organisation.objects.add_root(instance=node)
    parent.refresh_from_db()
    return Organisation.objects.add_child(parent, instance=node)


def make_user(username: str, *, org=None, role: str | None = Role.STAFF, superuser: bool = False,
              password: str = "pw-for-tests-1"):
    User = get_user_model()
    if superuser:
        user = User.objects.create_superuser(username=username, password=password, email="")
    else:
        user = User.objects.create_user(username=username, password=password)
    if org is not None and role:
        from gonghui.core.models import RoleAssignment

        RoleAssignment.objects.create(user=user, org=org, role=role)
    return user


def make_member(*, org, name: str = "张三", actor=None, **kwargs):
    from gonghui.orgs import services

    if actor is None:
        actor = get_user_model().objects.filter(is_superuser=True).first() or make_user(
            f"root{next(_seq)}", superuser=True)
    kwargs.setdefault("id_number", make_id_number())
    kwargs.setdefault("phone", make_phone())
    return services.member_create(actor=actor, org=org, name=name, **kwargs)


@dataclass
class Case:
    """One endpoint or page of the matrix.

    `url_in` reaches an object inside the in-scope user's subtree, `url_out` one outside it.
    `method` is get/post/patch; `data` the body; `in_status` the status the in-scope user gets.
    `api` True → anonymous is 401 and bodies are JSON; False → a page, anonymous is redirected.
    """

    name: str
    url_in: str
    url_out: str | None = None
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)
    in_status: int = 200
    api: bool = True
    no_role_status: tuple[int, ...] = (403, 404)


class PermissionMatrix:
    """Subclass and implement `matrix(self, world)` returning a list of `Case`.

    `world` is a dict from the `matrix_world` fixture that the subclass (or its conftest) provides:
    at least `in_user` (a role on the subtree that holds the `url_in` objects) and `out_user` is not
    needed: the base makes a user with no role and checks `url_out` with `in_user`.
    """

    def matrix(self, world) -> list[Case]:  # pragma: no cover - to be implemented
        raise NotImplementedError

    def _call(self, client, case: Case, url: str):
        method = getattr(client, case.method)
        if case.method == "get":
            return method(url)
        if case.api:
            return method(url, data=case.data, content_type="application/json")
        return method(url, data=case.data)

    def test_anonymous(self, client, matrix_world):
        for case in self.matrix(matrix_world):
            response = self._call(client, case, case.url_in)
            if case.api:
                assert response.status_code == 401, (case.name, response.status_code)
            else:
                assert response.status_code == 302 and "/accounts/login/" in response["Location"], (
                    case.name, response.status_code)

    def test_no_role(self, client, matrix_world):
        user = make_user(f"norole{next(_seq)}", role=None)
        client.force_login(user)
        for case in self.matrix(matrix_world):
            response = self._call(client, case, case.url_in)
            assert response.status_code in case.no_role_status, (case.name, response.status_code)

    def test_in_scope(self, client, matrix_world):
        client.force_login(matrix_world["in_user"])
        for case in self.matrix(matrix_world):
            response = self._call(client, case, case.url_in)
            assert response.status_code == case.in_status, (case.name, response.status_code,
                                                             getattr(response, "content", b"")[:300])

    def test_out_of_scope(self, client, matrix_world):
        client.force_login(matrix_world["in_user"])
        for case in self.matrix(matrix_world):
            if case.url_out is None:
                continue
            response = self._call(client, case, case.url_out)
            assert response.status_code == 404, (case.name, response.status_code)
