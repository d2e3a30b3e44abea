"""Writes of the orgs app: one function per domain action, atomic and audited."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit, snapshot
from gonghui.core.choices import ADMIN_ROLES, WRITE_ROLES, Role
from gonghui.core.crypto import lookup_hash
from gonghui.core.errors import ConflictError, DomainError, NotFound, PermissionDeniedError
from gonghui.core.models import RoleAssignment
from gonghui.core.pinyin import name_pinyin
from gonghui.core.scope import forget_scope, has_role_on
from gonghui.core.validators import (
    id_number_info,
    mask_id_number,
    mask_phone,
    normalize_phone,
    normalize_text,
    normalize_uscc,
)

from .choices import MemberStatus, NewFormType, OrgStatus, OrgType
from .models import Member, MemberTransfer, Organisation

__all__ = [
    "member_create",
    "member_reveal",
    "member_transfer",
    "member_update",
    "new_card_numbers",
    "org_create",
    "org_move",
    "org_update",
    "prepare_member_values",
    "role_grant",
    "staff_create",
]

ORG_AUDIT_FIELDS = ["code", "name", "short_name", "type", "uscc", "address", "status", "founded_on", "path"]
MEMBER_AUDIT_EXCLUDE = ("id_number", "phone", "id_number_hash", "phone_hash", "card_nonce")


def _require_role(actor: AbstractBaseUser, org: Organisation, roles=WRITE_ROLES) -> None:
    if not has_role_on(actor, org, roles):
        # Outside every subtree the actor reaches: same answer as a missing object.
        if not has_role_on(actor, org, tuple(Role)):
            raise NotFound("not_found", _("未找到该组织"))
        raise PermissionDeniedError("permission_denied", _("您没有在该组织执行此操作的权限"))


# ---------------------------------------------------------------- organisations


def _clean_org_values(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out = dict(values)
    for key in ("code", "name", "short_name", "address"):
        if key in out:
            out[key] = normalize_text(out[key])
    if "code" in out and not out["code"]:
        errors.setdefault("code", []).append(_("组织代码不能为空"))
    if "name" in out and not out["name"]:
        errors.setdefault("name", []).append(_("组织名称不能为空"))
    if "type" in out and out["type"] not in OrgType.values:
        errors.setdefault("type", []).append(_("未知的组织类型：{t}").format(t=out["type"]))
    if "status" in out and out["status"] not in OrgStatus.values:
        errors.setdefault("status", []).append(_("未知的组织状态：{s}").format(s=out["status"]))
    if out.get("uscc"):
        try:
            out["uscc"] = normalize_uscc(out["uscc"])
        except ValidationError as exc:
            errors.setdefault("uscc", []).extend(exc.messages)
    elif "uscc" in out:
        out["uscc"] = ""
    if "name" in out:
        out["name_pinyin"], out["name_initials"] = name_pinyin(out["name"])
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def org_create(
    *,
    actor: AbstractBaseUser,
    parent: Organisation | None,
    code: str,
    name: str,
    type: str,
    short_name: str = "",
    uscc: str = "",
    address: str = "",
    status: str = OrgStatus.ACTIVE,
    founded_on: dt.date | None = None,
) -> Organisation:
    """Create an organisation under `parent` (a root only by a superuser)."""
    if parent is None:
        if not actor.is_superuser:
            raise PermissionDeniedError("permission_denied", _("只有系统管理员可以创建顶级组织"))
    else:
        _require_role(actor, parent)
    values = _clean_org_values(
        dict(code=code, name=name, type=type, short_name=short_name, uscc=uscc, address=address,
             status=status, founded_on=founded_on)
    )
    if Organisation.objects.filter(code=values["code"]).exists():
        raise ValidationError({"code": [_("组织代码{c}已存在").format(c=values["code"])]})
    if values["uscc"] and Organisation.objects.filter(uscc=values["uscc"]).exists():
        raise ValidationError({"uscc": [_("该统一社会信用代码已被其他组织使用")]})
    node = Organisation(**values)
    node.full_clean(exclude=["path", "depth", "numchild"], validate_unique=False)
    try:
        with transaction.atomic():
            if parent is None:
                org = Organisation.objects.add_root(instance=node)
            else:
                parent.refresh_from_db()
                org = Organisation.objects.add_child(parent, instance=node)
    except IntegrityError:
        raise ConflictError("duplicate", _("组织代码或统一社会信用代码已存在"))
    audit(actor=actor, action="org.create", org=org, target=org, after=snapshot(org, ORG_AUDIT_FIELDS))
    return org


@transaction.atomic
def org_update(*, actor: AbstractBaseUser, org: Organisation, **changes: Any) -> Organisation:
    """Change an organisation's own fields (not its place in the tree: see org_move)."""
    _require_role(actor, org)
    allowed = {"code", "name", "short_name", "type", "uscc", "address", "status", "founded_on"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError("invalid", _("不能修改的字段：{f}").format(f=", ".join(sorted(unknown))))
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    before = snapshot(org, ORG_AUDIT_FIELDS)
    values = _clean_org_values(changes)
    if "code" in values and Organisation.objects.filter(code=values["code"]).exclude(pk=org.pk).exists():
        raise ValidationError({"code": [_("组织代码{c}已存在").format(c=values["code"])]})
    if values.get("uscc") and Organisation.objects.filter(uscc=values["uscc"]).exclude(pk=org.pk).exists():
        raise ValidationError({"uscc": [_("该统一社会信用代码已被其他组织使用")]})
    if values.get("type") not in (None, OrgType.BASE, OrgType.JOINT) and org.members.exists():
        raise ValidationError({"type": [_("该组织下有会员，只能是基层工会或联合工会")]})
    for key, value in values.items():
        setattr(org, key, value)
    org.full_clean(exclude=["path", "depth", "numchild"], validate_unique=False)
    org.save()
    audit(actor=actor, action="org.update", org=org, target=org, before=before,
          after=snapshot(org, ORG_AUDIT_FIELDS))
    return org


@transaction.atomic
def org_move(*, actor: AbstractBaseUser, org: Organisation, new_parent: Organisation) -> Organisation:
    """Move an organisation with its whole subtree under another parent."""
    _require_role(actor, org)
    _require_role(actor, new_parent)
    org.refresh_from_db()
    new_parent.refresh_from_db()
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise DomainError("cycle", _("不能把组织移动到它自己或它的下级组织之下"))
    old_parent = Organisation.objects.get_parent(org)
    if old_parent is not None and old_parent.pk == new_parent.pk:
        return org
    before = snapshot(org, ORG_AUDIT_FIELDS)
    before["parent"] = old_parent.code if old_parent else None
    Organisation.objects.move(org, new_parent, pos="last-child")
    org.refresh_from_db()
    after = snapshot(org, ORG_AUDIT_FIELDS)
    after["parent"] = new_parent.code
    audit(actor=actor, action="org.move", org=org, target=org, before=before, after=after)
    return org


# ---------------------------------------------------------------- members


def new_card_numbers(count: int) -> list[str]:
    """`count` unused 12-digit member card numbers (random, so not guessable from another card)."""
    numbers: set[str] = set()
    while len(numbers) < count:
        wanted = count - len(numbers)
        batch = {f"{secrets.randbelow(10**11) + 10**11}" for _ in range(wanted + 8)}
        batch -= numbers
        taken = set()
        batch_list = list(batch)
        for i in range(0, len(batch_list), 900):
            taken |= set(
                Member.objects.filter(card_no__in=batch_list[i:i + 900]).values_list("card_no", flat=True)
            )
        numbers |= set(list(batch - taken)[:wanted])
    return sorted(numbers)


def prepare_member_values(
    *,
    name: object,
    id_number: object,
    phone: object = "",
    employer: object = "",
    trade: object = "",
    new_form_type: object = "",
    phone_required: bool = True,
) -> dict[str, Any]:
    """Validate and normalise one member's input; raise ValidationError naming each bad field.

    Used by the member form, the API and the members import alike.
    """
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    clean_name = normalize_text(name)
    if not clean_name:
        errors["name"] = [_("姓名不能为空")]
    elif len(clean_name) > 60:
        errors["name"] = [_("姓名不能超过60个字符")]
    values["name"] = clean_name
    values["name_pinyin"], values["name_initials"] = name_pinyin(clean_name) if clean_name else ("", "")
    try:
        info = id_number_info(id_number)
        values.update(
            id_number=info.number, id_number_hash=lookup_hash("id", info.number),
            id_number_masked=mask_id_number(info.number), gender=info.gender, birth_date=info.birth_date,
        )
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    clean_phone = normalize_text(phone)
    if clean_phone or phone_required:
        try:
            p = normalize_phone(clean_phone)
            values.update(phone=p, phone_hash=lookup_hash("phone", p), phone_masked=mask_phone(p),
                          phone_last4=p[-4:])
        except ValidationError as exc:
            errors["phone"] = exc.messages
    else:
        values.update(phone="", phone_hash="", phone_masked="", phone_last4="")
    values["employer"] = normalize_text(employer)[:200]
    values["trade"] = normalize_text(trade)[:60]
    nf = normalize_text(new_form_type)
    if nf not in NewFormType.values:
        errors["new_form_type"] = [_("未知的新就业形态类型：{v}").format(v=nf)]
    values["new_form_type"] = nf
    if errors:
        raise ValidationError(errors)
    return values


def _check_member_org(org: Organisation) -> None:
    if org.type not in (OrgType.BASE, OrgType.JOINT):
        raise ValidationError({"org": [_("会员只能加入基层工会或联合工会，{o}是{t}").format(
            o=org.name, t=org.get_type_display())]})
    if org.status == OrgStatus.DISSOLVED:
        raise ValidationError({"org": [_("{o}已撤销，不能接收会员").format(o=org.name)]})


@transaction.atomic
def member_create(
    *,
    actor: AbstractBaseUser,
    org: Organisation,
    name: str,
    id_number: str,
    phone: str = "",
    employer: str = "",
    trade: str = "",
    joined_on: dt.date | None = None,
    new_form_type: str = "",
    is_outdoor_worker: bool = False,
    status: str = MemberStatus.ACTIVE,
) -> Member:
    """Admit a member to a base union."""
    _require_role(actor, org)
    _check_member_org(org)
    values = prepare_member_values(
        name=name, id_number=id_number, phone=phone, employer=employer, trade=trade,
        new_form_type=new_form_type,
    )
    existing = Member.objects.filter(id_number_hash=values["id_number_hash"]).select_related("org").first()
    if existing is not None:
        raise ConflictError(
            "already_member",
            _("该身份证号码已是{o}的会员，请通过会员组织关系转接办理").format(o=existing.org.name),
        )
    if status not in MemberStatus.values:
        raise ValidationError({"status": [_("未知的会员状态")]})
    member = Member(
        org=org, joined_on=joined_on or timezone.localdate(), is_outdoor_worker=bool(is_outdoor_worker),
        status=status, card_no=new_card_numbers(1)[0], card_nonce=Member.new_card_nonce(), **values,
    )
    member.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ConflictError("already_member", _("该身份证号码已是会员，请通过会员组织关系转接办理"))
    audit(actor=actor, action="member.create", org=org, target=member,
          after=snapshot(member, exclude=MEMBER_AUDIT_EXCLUDE))
    return member


@transaction.atomic
def member_update(*, actor: AbstractBaseUser, member: Member, **changes: Any) -> Member:
    """Change a member's details; the ID number and phone are re-validated when given."""
    _require_role(actor, member.org)
    allowed = {"name", "id_number", "phone", "employer", "trade", "joined_on", "new_form_type",
               "is_outdoor_worker", "status"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError("invalid", _("不能修改的字段：{f}").format(f=", ".join(sorted(unknown))))
    member = Member.objects.select_for_update().get(pk=member.pk)
    before = snapshot(member, exclude=MEMBER_AUDIT_EXCLUDE)
    merged = {
        "name": changes.get("name", member.name),
        "id_number": changes.get("id_number", member.id_number),
        "phone": changes.get("phone", member.phone),
        "employer": changes.get("employer", member.employer),
        "trade": changes.get("trade", member.trade),
        "new_form_type": changes.get("new_form_type", member.new_form_type),
    }
    values = prepare_member_values(**merged, phone_required=False)
    if Member.objects.filter(id_number_hash=values["id_number_hash"]).exclude(pk=member.pk).exists():
        raise ConflictError("already_member", _("该身份证号码已是其他会员"))
    for key, value in values.items():
        setattr(member, key, value)
    if "joined_on" in changes and changes["joined_on"]:
        member.joined_on = changes["joined_on"]
    if "is_outdoor_worker" in changes:
        member.is_outdoor_worker = bool(changes["is_outdoor_worker"])
    if "status" in changes:
        if changes["status"] not in MemberStatus.values:
            raise ValidationError({"status": [_("未知的会员状态")]})
        member.status = changes["status"]
    member.full_clean(validate_unique=False, validate_constraints=False)
    member.save()
    audit(actor=actor, action="member.update", org=member.org, target=member, before=before,
          after=snapshot(member, exclude=MEMBER_AUDIT_EXCLUDE))
    return member


@transaction.atomic
def member_transfer(
    *, actor: AbstractBaseUser, member: Member, to_org: Organisation, reason: str = ""
) -> MemberTransfer:
    """会员组织关系转接: move a member to another base union, keeping the history."""
    _require_role(actor, member.org)
    _require_role(actor, to_org)
    member = Member.objects.select_for_update().select_related("org").get(pk=member.pk)
    if member.org_id == to_org.pk:
        raise DomainError("same_org", _("会员已在{o}，无需转接").format(o=to_org.name))
    _check_member_org(to_org)
    transfer = MemberTransfer.objects.create(
        member=member, from_org=member.org, to_org=to_org, reason=normalize_text(reason)[:200], actor=actor
    )
    from_org = member.org
    member.org = to_org
    member.save(update_fields=["org", "updated_at"])
    audit(actor=actor, action="member.transfer", org=to_org, target=member,
          before={"org": from_org.code}, after={"org": to_org.code, "reason": transfer.reason})
    return transfer


@transaction.atomic
def member_reveal(*, actor: AbstractBaseUser, member: Member, purpose: str = "") -> dict[str, str]:
    """Show a member's full ID number and phone: admins only, and always audited."""
    _require_role(actor, member.org, ADMIN_ROLES)
    audit(actor=actor, action="member.reveal_pii", org=member.org, target=member,
          after={"purpose": normalize_text(purpose)[:200]})
    return {"id_number": member.id_number, "phone": member.phone}


# ---------------------------------------------------------------- staff users and roles


@transaction.atomic
def role_grant(*, actor: AbstractBaseUser | None, user: AbstractBaseUser, org: Organisation, role: str
               ) -> RoleAssignment:
    """Give `user` a role on `org` (and so on its subtree). `actor=None` is the command line."""
    if role not in Role.values:
        raise DomainError("invalid_role", _("未知的角色：{r}").format(r=role))
    if actor is not None:
        _require_role(actor, org, ADMIN_ROLES)
    assignment, created = RoleAssignment.objects.get_or_create(user=user, org=org, role=role)
    if created:
        audit(actor=actor, action="role.grant", org=org, target=assignment,
              after={"user": user.get_username(), "role": role, "org": org.code})
    forget_scope(user)
    return assignment


@transaction.atomic
def staff_create(
    *, actor: AbstractBaseUser | None, username: str, org: Organisation, role: str, password: str | None = None
) -> tuple[AbstractBaseUser, str | None]:
    """Create (or reuse) a staff account with a role on `org`; returns the user and a new password."""
    User = get_user_model()
    username = normalize_text(username)
    if not username:
        raise DomainError("invalid", _("用户名不能为空"))
    user = User.objects.filter(username=username).first()
    new_password = None
    if user is None:
        new_password = password or secrets.token_urlsafe(9)
        user = User(username=username, is_staff=False)
        user.set_password(new_password)
        user.save()
        audit(actor=actor, action="user.create", org=org, target=user, after={"username": username})
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
        new_password = password
        audit(actor=actor, action="user.set_password", org=org, target=user, after={"username": username})
    role_grant(actor=actor, user=user, org=org, role=role)
    return user, new_password
