"""Writes of welfare campaigns: one function per domain action, atomic, locked where it races, audited."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gonghui.core.audit import audit, snapshot
from gonghui.core.choices import WRITE_ROLES, Role
from gonghui.core.crypto import lookup_hash
from gonghui.core.errors import ConflictError, DomainError, NotFound, PermissionDeniedError
from gonghui.core.pinyin import name_pinyin
from gonghui.core.scope import has_role_on
from gonghui.core.validators import (
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_phone,
    normalize_text,
)
from gonghui.orgs.models import Member, Organisation

from . import rules
from .choices import CampaignStatus, CampaignType, ConflictReason, IssueChannel, TargetGroup
from .identity import Who, mask_name, resolve_many, resolve_one
from .models import (
    Allotment,
    Campaign,
    CareVisit,
    CareVisitPhoto,
    DistributionPoint,
    Issuance,
    Item,
    Recipient,
    Stock,
    SyncConflict,
)

__all__ = [
    "ISSUE_ROLES",
    "allotment_set",
    "campaign_create",
    "campaign_update",
    "care_visit_create",
    "conflict_resolve",
    "issuance_create",
    "item_create",
    "membership_confirm",
    "point_create",
    "recipient_register",
    "stock_receive",
    "stock_transfer",
    "sync_records",
]

# Who may hand items out at a point: distributors on the point's organisation (or above), and staff.
ISSUE_ROLES = (Role.ADMIN, Role.STAFF, Role.DISTRIBUTOR)


def _require_role(actor: AbstractBaseUser, org: Organisation, roles=WRITE_ROLES) -> None:
    if not has_role_on(actor, org, roles):
        if not has_role_on(actor, org, tuple(Role)):
            raise NotFound("not_found", _("未找到"))
        raise PermissionDeniedError("permission_denied", _("您没有在{o}执行此操作的权限").format(o=org.name))


def _require_active(campaign: Campaign) -> None:
    if campaign.status != CampaignStatus.ACTIVE:
        raise DomainError("campaign_not_active",
                          _("活动“{c}”当前状态为{s}，不能发放").format(c=campaign.name, s=campaign.get_status_display()))


def _decimal(value: Any, field: str, label: str) -> Decimal:
    try:
        result = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: [_("{l}必须是数字").format(l=label)]})
    if result < 0:
        raise ValidationError({field: [_("{l}不能为负数").format(l=label)]})
    return result


def _clean_target_groups(groups: Sequence[str] | None) -> list[str]:
    groups = list(dict.fromkeys(groups or []))
    bad = [g for g in groups if g not in TargetGroup.values]
    if bad:
        raise ValidationError({"target_groups": [_("未知的慰问对象类别：{g}").format(g="、".join(bad))]})
    return groups


CAMPAIGN_FIELDS = ["name", "type", "status", "starts_on", "ends_on", "budget", "target_groups", "description"]


# ---------------------------------------------------------------- campaigns and items


@transaction.atomic
def campaign_create(
    *,
    actor: AbstractBaseUser,
    owner: Organisation,
    name: str,
    type: str,
    starts_on: dt.date,
    ends_on: dt.date,
    budget: Decimal | str | int,
    target_groups: Sequence[str] | None = None,
    description: str = "",
    status: str = CampaignStatus.ACTIVE,
) -> Campaign:
    """W1: a campaign of the owner organisation over its subtree."""
    _require_role(actor, owner)
    name = normalize_text(name)
    if not name:
        raise ValidationError({"name": [_("活动名称不能为空")]})
    if type not in CampaignType.values:
        raise ValidationError({"type": [_("未知的活动类型")]})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": [_("结束日期不能早于开始日期")]})
    full, initials = name_pinyin(name)
    campaign = Campaign(
        owner=owner, name=name, name_pinyin=full, name_initials=initials, type=type, status=status,
        starts_on=starts_on, ends_on=ends_on, budget=_decimal(budget, "budget", _("预算")),
        target_groups=_clean_target_groups(target_groups), description=normalize_text(description)[:2000],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    campaign.full_clean()
    campaign.save()
    audit(actor=actor, action="welfare.campaign.create", org=owner, target=campaign,
          after=snapshot(campaign, CAMPAIGN_FIELDS))
    return campaign


@transaction.atomic
def campaign_update(*, actor: AbstractBaseUser, campaign: Campaign, **changes: Any) -> Campaign:
    _require_role(actor, campaign.owner)
    unknown = set(changes) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise DomainError("invalid", _("不能修改的字段：{f}").format(f=", ".join(sorted(unknown))))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = snapshot(campaign, CAMPAIGN_FIELDS)
    if "budget" in changes:
        changes["budget"] = _decimal(changes["budget"], "budget", _("预算"))
        needed = _budget_committed(campaign)
        if changes["budget"] < needed:
            raise ValidationError({"budget": [_("预算不能低于已配额物品的金额{n}元").format(n=needed)]})
    if "target_groups" in changes:
        changes["target_groups"] = _clean_target_groups(changes["target_groups"])
    if "name" in changes:
        changes["name"] = normalize_text(changes["name"])
        campaign.name_pinyin, campaign.name_initials = name_pinyin(changes["name"])
    for key, value in changes.items():
        setattr(campaign, key, value)
    campaign.full_clean()
    campaign.save()
    audit(actor=actor, action="welfare.campaign.update", org=campaign.owner, target=campaign, before=before,
          after=snapshot(campaign, CAMPAIGN_FIELDS))
    return campaign


@transaction.atomic
def item_create(
    *,
    actor: AbstractBaseUser,
    campaign: Campaign,
    code: str,
    name: str,
    unit_cost: Decimal | str | int,
    contents: str = "",
    per_recipient_limit: int = 1,
) -> Item:
    _require_role(actor, campaign.owner)
    code = normalize_text(code).upper().replace(" ", "")
    name = normalize_text(name)
    contents = normalize_text(contents)
    errors: dict[str, list[str]] = {}
    if not code:
        errors["code"] = [_("物品代码不能为空")]
    if not name:
        errors["name"] = [_("物品名称不能为空")]
    reason = rules.forbidden_item_reason(name, contents)
    if reason:
        errors["name"] = [reason]
    try:
        limit = int(per_recipient_limit)
    except (TypeError, ValueError):
        limit = 0
    if limit < 1:
        errors["per_recipient_limit"] = [_("每人限领至少为1")]
    if errors:
        raise ValidationError(errors)
    if Item.objects.filter(campaign=campaign, code=code).exists():
        raise ValidationError({"code": [_("物品代码{c}已存在").format(c=code)]})
    item = Item(campaign=campaign, code=code, name=name, contents=contents,
                unit_cost=_decimal(unit_cost, "unit_cost", _("单价")), per_recipient_limit=limit)
    item.full_clean()
    item.save()
    audit(actor=actor, action="welfare.item.create", org=campaign.owner, target=item, after=snapshot(item))
    return item


def _budget_committed(campaign: Campaign) -> Decimal:
    roots = Allotment.objects.filter(campaign=campaign, parent__isnull=True).values_list("item__unit_cost",
                                                                                         "quantity")
    return rules.budget_needed(roots)


# ---------------------------------------------------------------- allotments (W2)


def _allotment_above(item: Item, org: Organisation) -> Allotment | None:
    """The allotment of the item on the nearest ancestor (not self) of `org`."""
    ancestors = [org.path[:i] for i in range(Organisation.steplen, len(org.path), Organisation.steplen)]
    return (Allotment.objects.filter(item=item, org__path__in=ancestors).select_related("org")
            .order_by("-org__depth").first())


@transaction.atomic
def allotment_set(*, actor: AbstractBaseUser, item: Item, org: Organisation, quantity: int) -> Allotment:
    """Allot `quantity` of `item` to `org` (create or change). The giver is the nearest allotted ancestor;
    for the campaign's owner the allotment is the campaign's total and must fit the budget."""
    campaign = item.campaign
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        raise ValidationError({"quantity": [_("配额数量必须是整数")]})
    if quantity < 0:
        raise ValidationError({"quantity": [_("配额数量不能为负数")]})
    if not org.path.startswith(campaign.owner.path):
        raise DomainError("outside_campaign", _("{o}不在本活动主办工会的下级范围内").format(o=org.name))
    is_root = org.pk == campaign.owner_id
    parent: Allotment | None = None
    if is_root:
        _require_role(actor, org)
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    else:
        found = _allotment_above(item, org)
        if found is None:
            raise DomainError("no_parent_allotment",
                              _("{o}的上级尚未获得{i}的配额，请先为上级配额").format(o=org.name, i=item.name))
        if not has_role_on(actor, found.org, WRITE_ROLES):
            _require_role(actor, org, tuple(Role))  # not even visible → 404
            raise PermissionDeniedError("permission_denied", _("只有{p}可以向{o}分配配额").format(
                p=found.org.name, o=org.name))
        parent = Allotment.objects.select_for_update().get(pk=found.pk)
    current = Allotment.objects.select_for_update().filter(item=item, org=org).first()
    before = snapshot(current) if current else None
    old_quantity = current.quantity if current else 0
    if current is not None and quantity < current.distributed:
        raise ConflictError("below_distributed", _("{o}已下拨{d}份，配额不能低于此数").format(
            o=org.name, d=current.distributed))
    delta = quantity - old_quantity
    if parent is not None and delta > 0 and not rules.allotment_fits(
            parent_quantity=parent.quantity, already_distributed=parent.distributed, requested=delta):
        raise ConflictError("over_allotment", _("超出上级配额：{p}的{i}配额{q}份，已下拨{d}份，尚余{r}份").format(
            p=parent.org.name, i=item.name, q=parent.quantity, d=parent.distributed, r=parent.undistributed))
    if is_root:
        others = Allotment.objects.filter(campaign=campaign, parent__isnull=True).exclude(item=item)
        needed = rules.budget_needed([(u, q) for u, q in others.values_list("item__unit_cost", "quantity")]
                                     + [(item.unit_cost, quantity)])
        if needed > campaign.budget:
            raise ConflictError("over_budget", _("超出活动预算：需{n}元，预算{b}元").format(n=needed, b=campaign.budget))
    if current is None:
        current = Allotment(campaign=campaign, item=item, org=org, parent=parent, quantity=quantity)
        current.full_clean(validate_constraints=False, validate_unique=False)
        current.save()
    else:
        Allotment.objects.filter(pk=current.pk).update(quantity=quantity, updated_at=timezone.now())
    if parent is not None and delta:
        try:
            with transaction.atomic():
                Allotment.objects.filter(pk=parent.pk).update(distributed=F("distributed") + delta)
        except IntegrityError:  # the database's check is the last word
            raise ConflictError("over_allotment", _("超出上级配额"))
    current.refresh_from_db()
    audit(actor=actor, action="welfare.allotment.set", org=org, target=current, before=before,
          after=snapshot(current))
    return current


# ---------------------------------------------------------------- points and stock


@transaction.atomic
def point_create(
    *, actor: AbstractBaseUser, org: Organisation, code: str, name: str, station_name: str = "", address: str = ""
) -> DistributionPoint:
    _require_role(actor, org)
    code = normalize_text(code).upper().replace(" ", "")
    name = normalize_text(name)
    if not code or not name:
        raise ValidationError({"code" if not code else "name": [_("发放点代码和名称不能为空")]})
    if DistributionPoint.objects.filter(code=code).exists():
        raise ValidationError({"code": [_("发放点代码{c}已存在").format(c=code)]})
    point = DistributionPoint(org=org, code=code, name=name, station_name=normalize_text(station_name),
                              address=normalize_text(address))
    point.full_clean()
    point.save()
    audit(actor=actor, action="welfare.point.create", org=org, target=point, after=snapshot(point))
    return point


def _allotment_for_point(item: Item, point: DistributionPoint) -> Allotment:
    org = point.org
    paths = [org.path[:i] for i in range(Organisation.steplen, len(org.path) + 1, Organisation.steplen)]
    found = (Allotment.objects.filter(item=item, org__path__in=paths).select_related("org")
             .order_by("-org__depth").first())
    if found is None:
        raise DomainError("no_allotment", _("{p}所属工会及其上级没有{i}的配额").format(p=point.name, i=item.name))
    return found


@transaction.atomic
def stock_receive(*, actor: AbstractBaseUser, point: DistributionPoint, item: Item, quantity: int) -> Stock:
    """Goods arrive at a point out of the nearest allotment above it (which must hold enough)."""
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 0
    if quantity <= 0:
        raise ValidationError({"quantity": [_("接收数量必须是正整数")]})
    found = _allotment_for_point(item, point)
    _require_role(actor, point.org)
    allotment = Allotment.objects.select_for_update().select_related("org").get(pk=found.pk)
    if not rules.allotment_fits(parent_quantity=allotment.quantity, already_distributed=allotment.distributed,
                                requested=quantity):
        raise ConflictError("over_allotment", _("超出配额：{o}的{i}配额{q}份，已下拨{d}份，尚余{r}份").format(
            o=allotment.org.name, i=item.name, q=allotment.quantity, d=allotment.distributed,
            r=allotment.undistributed))
    Allotment.objects.filter(pk=allotment.pk).update(distributed=F("distributed") + quantity)
    stock, _created = Stock.objects.select_for_update().get_or_create(
        point=point, item=item, defaults={"allotment": allotment})
    before = snapshot(stock)
    Stock.objects.filter(pk=stock.pk).update(received=F("received") + quantity, updated_at=timezone.now())
    stock.refresh_from_db()
    audit(actor=actor, action="welfare.stock.receive", org=point.org, target=stock, before=before,
          after=snapshot(stock))
    return stock


@transaction.atomic
def stock_transfer(
    *, actor: AbstractBaseUser, item: Item, from_point: DistributionPoint, to_point: DistributionPoint, quantity: int
) -> tuple[Stock, Stock]:
    """Move stock between two points; the source never goes below zero."""
    try:
        quantity = int(quantity)
    except (TypeError, ValueError):
        quantity = 0
    if quantity <= 0:
        raise ValidationError({"quantity": [_("调拨数量必须是正整数")]})
    if from_point.pk == to_point.pk:
        raise ValidationError({"to_point": [_("调入发放点不能与调出发放点相同")]})
    _require_role(actor, from_point.org)
    _require_role(actor, to_point.org)
    source = Stock.objects.filter(point=from_point, item=item).first()
    if source is None:
        raise ConflictError("out_of_stock", _("{p}没有{i}的库存").format(p=from_point.name, i=item.name))
    target, _created = Stock.objects.get_or_create(point=to_point, item=item,
                                                   defaults={"allotment": source.allotment})
    locked = {s.pk: s for s in Stock.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
              .order_by("pk")}
    source = locked[source.pk]
    if source.available < quantity:
        raise ConflictError("out_of_stock", _("{p}的{i}库存仅{n}份").format(
            p=from_point.name, i=item.name, n=source.available))
    Stock.objects.filter(pk=source.pk).update(transferred_out=F("transferred_out") + quantity)
    Stock.objects.filter(pk=target.pk).update(transferred_in=F("transferred_in") + quantity)
    source.refresh_from_db()
    target.refresh_from_db()
    audit(actor=actor, action="welfare.stock.transfer", org=from_point.org, target=source,
          after={"item": item.code, "from": from_point.code, "to": to_point.code, "quantity": quantity})
    return source, target


# ---------------------------------------------------------------- recipients


@transaction.atomic
def recipient_register(
    *,
    actor: AbstractBaseUser,
    point: DistributionPoint,
    name: str,
    id_number: str,
    phone: str = "",
    employer: str = "",
    target_group: str = TargetGroup.OTHER,
    accept_membership: bool = False,
    join_org: Organisation | None = None,
) -> Recipient:
    """Record a worker who is not a member by resident ID (and phone); offer membership on the spot.

    When the worker accepts, a pending member is created in `join_org` (default: the point's union if
    it holds members) for that union to confirm; a distributor without staff rights leaves the request
    on the record for the union's staff (see `membership_confirm`).
    """
    _require_role(actor, point.org, ISSUE_ROLES)
    errors: dict[str, list[str]] = {}
    name = normalize_text(name)
    if not name:
        errors["name"] = [_("姓名不能为空")]
    try:
        number = normalize_id_number(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
        number = ""
    clean_phone = ""
    if normalize_text(phone):
        try:
            clean_phone = normalize_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if target_group not in TargetGroup.values:
        errors["target_group"] = [_("未知的慰问对象类别")]
    if errors:
        raise ValidationError(errors)
    key = lookup_hash("id", number)
    if Member.objects.filter(id_number_hash=key).exists():
        raise ConflictError("already_member", _("该身份证号码已是会员，请直接扫描会员码或按身份证号查找"))
    recipient = Recipient.objects.filter(key=key).first()
    if recipient is None:
        recipient = Recipient(
            key=key, name=name, id_number=number, id_number_masked=mask_id_number(number),
            phone=clean_phone, phone_hash=lookup_hash("phone", clean_phone) if clean_phone else "",
            phone_masked=mask_phone(clean_phone) if clean_phone else "", employer=normalize_text(employer)[:200],
            target_group=target_group, org=point.org,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        try:
            with transaction.atomic():
                recipient.save()
        except IntegrityError:
            recipient = Recipient.objects.get(key=key)
        else:
            audit(actor=actor, action="welfare.recipient.register", org=point.org, target=recipient,
                  after={"name": recipient.name, "id_number": recipient.id_number_masked,
                         "target_group": target_group})
    if accept_membership:
        org = join_org or point.org
        if has_role_on(actor, org, WRITE_ROLES) and org.holds_members:
            recipient = membership_confirm(actor=actor, recipient=recipient, org=org)
        else:
            audit(actor=actor, action="welfare.recipient.membership_requested", org=org, target=recipient,
                  after={"org": org.code})
    return recipient


@transaction.atomic
def membership_confirm(*, actor: AbstractBaseUser, recipient: Recipient, org: Organisation) -> Recipient:
    """Turn an accepted offer into a pending member of `org` (orgs.services.member_create)."""
    from gonghui.orgs import services as org_services
    from gonghui.orgs.choices import MemberStatus

    recipient = Recipient.objects.select_for_update().get(pk=recipient.pk)
    if recipient.member_id:
        return recipient
    member = org_services.member_create(
        actor=actor, org=org, name=recipient.name, id_number=recipient.id_number, phone=recipient.phone,
        employer=recipient.employer, status=MemberStatus.PENDING,
        new_form_type="other" if recipient.target_group == TargetGroup.NEW_FORM else "",
        is_outdoor_worker=recipient.target_group in (TargetGroup.OUTDOOR, TargetGroup.NEW_FORM),
    )
    recipient.member = member
    recipient.save(update_fields=["member"])
    audit(actor=actor, action="welfare.recipient.membership_pending", org=org, target=recipient,
          after={"member": member.pk, "org": org.code})
    return recipient


# ---------------------------------------------------------------- issuance (W3)


def _parse_key(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise DomainError("invalid", _("幂等键必须是UUID"))


def already_issued_error(existing: Issuance) -> ConflictError:
    when = timezone.localtime(existing.issued_at)
    return ConflictError(
        "already_issued",
        _("{n}已于{t}在{p}领取过{i}，不能重复发放").format(
            n=mask_name(existing.recipient_name), t=when.strftime("%Y-%m-%d %H:%M"), p=existing.point.name,
            i=existing.item.name),
        issued_at=when.isoformat(), point={"code": existing.point.code, "name": existing.point.name},
        item=existing.item.code, issuance_id=existing.pk,
    )


def _by_key(key: uuid.UUID) -> Issuance | None:
    return Issuance.objects.filter(idempotency_key=key).select_related("point", "item").first()


def _latest_for(campaign_id: int, item_id: int, key: str) -> Issuance | None:
    return (Issuance.objects.filter(campaign_id=campaign_id, item_id=item_id, recipient_key=key)
            .select_related("point", "item").order_by("-seq").first())


def _available_q():
    from django.db.models import Q

    return Q(received__gte=F("issued") + F("transferred_out") - F("transferred_in") + 1)


@transaction.atomic
def issuance_create(
    *,
    actor: AbstractBaseUser,
    campaign: Campaign,
    point: DistributionPoint,
    item: Item,
    recipient: dict | Who,
    idempotency_key: Any,
    issued_at: dt.datetime | None = None,
    channel: str = IssueChannel.ONLINE,
) -> tuple[Issuance, bool]:
    """Hand one item to one recipient. Returns (issuance, created); the same idempotency key returns the
    first issuance and writes nothing. Refusals: already_issued, out_of_stock (409)."""
    key = _parse_key(idempotency_key)
    existing = Issuance.objects.filter(idempotency_key=key).select_related("point", "item").first()
    if existing is not None:
        if existing.campaign_id != campaign.pk:
            raise ConflictError("idempotency_key_reused", _("该幂等键已用于其他活动的发放记录"))
        return existing, False
    if item.campaign_id != campaign.pk or not point.org.path.startswith(campaign.owner.path):
        raise NotFound("not_found", _("未找到该物品或发放点"))
    _require_role(actor, point.org, ISSUE_ROLES)
    _require_active(campaign)
    if not point.is_active:
        raise DomainError("point_inactive", _("发放点{p}已停用").format(p=point.name))
    who = recipient if isinstance(recipient, Who) else resolve_one(recipient)
    count = Issuance.objects.filter(campaign=campaign, item=item, recipient_key=who.key).count()
    if count >= item.per_recipient_limit:
        replay = _by_key(key)  # the same request, committed by a concurrent twin since our first look
        if replay is not None:
            return replay, False
        raise already_issued_error(_latest_for(campaign.pk, item.pk, who.key))
    now = timezone.now()
    issuance = Issuance(
        campaign=campaign, item=item, point=point, recipient_key=who.key, seq=count + 1,
        member_id=who.member_id, recipient_id=who.recipient_id, recipient_name=who.name,
        target_group=who.target_group, issued_at=issued_at or now, channel=channel,
        distributor=actor if getattr(actor, "is_authenticated", False) else None, idempotency_key=key,
    )
    try:
        with transaction.atomic():
            # Lock order everywhere: the stock row first, then the issuance's unique index.
            taken = Stock.objects.filter(point=point, item=item).filter(_available_q()).update(
                issued=F("issued") + 1, updated_at=now)
            if not taken:
                replay = _by_key(key)
                if replay is not None:
                    return replay, False
                raise ConflictError("out_of_stock", _("{p}的{i}已发完，请联系上级调拨").format(p=point.name, i=item.name))
            issuance.save(force_insert=True)
    except IntegrityError:
        same_key = Issuance.objects.filter(idempotency_key=key).select_related("point", "item").first()
        if same_key is not None:
            return same_key, False
        latest = _latest_for(campaign.pk, item.pk, who.key)
        if latest is None:  # pragma: no cover - a constraint we did not expect
            raise
        raise already_issued_error(latest)
    audit(actor=actor, action="welfare.issue", org=point.org, target=issuance,
          after={"item": item.code, "point": point.code, "recipient": mask_name(who.name), "seq": issuance.seq,
                 "channel": channel})
    return issuance, True


# ---------------------------------------------------------------- offline sync


def _parse_issued_at(value: Any, now: dt.datetime) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    else:
        moment = parse_datetime(str(value or "")) if value else None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > now + dt.timedelta(minutes=10):
        return None
    return moment


def _chunks(values: Sequence, size: int = 900):
    for i in range(0, len(values), size):
        yield values[i:i + size]


@transaction.atomic
def sync_records(
    *, actor: AbstractBaseUser, campaign: Campaign, point: DistributionPoint, records: Sequence[dict]
) -> list[dict]:
    """Replay a point's offline queue in one batch. One result per record, in order:
    issued / duplicate_key / already_issued / out_of_stock / invalid. Refused records that were handed
    out while offline (already_issued, out_of_stock) are kept as SyncConflicts for the point to recover."""
    if not point.org.path.startswith(campaign.owner.path):
        raise NotFound("not_found", _("未找到该发放点"))
    _require_role(actor, point.org, ISSUE_ROLES)
    _require_active(campaign)
    now = timezone.now()
    n = len(records)
    results: list[dict | None] = [None] * n
    items = {i.code: i for i in Item.objects.filter(campaign=campaign)}

    keys: list[uuid.UUID | None] = [None] * n
    moments: list[dt.datetime | None] = [None] * n
    specs: list[Any] = [None] * n
    seen_keys: set[uuid.UUID] = set()
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            results[i] = {"status": "invalid", "message": _("记录格式不正确")}
            continue
        try:
            key = uuid.UUID(str(rec.get("idempotency_key")))
        except (ValueError, TypeError, AttributeError):
            results[i] = {"status": "invalid", "message": _("幂等键必须是UUID")}
            continue
        item = items.get(normalize_text(rec.get("item", "")).upper())
        moment = _parse_issued_at(rec.get("issued_at"), now)
        if item is None:
            results[i] = {"idempotency_key": str(key), "status": "invalid", "message": _("未知的物品代码")}
        elif moment is None:
            results[i] = {"idempotency_key": str(key), "status": "invalid",
                          "message": _("发放时间缺失、格式不正确或晚于当前时间")}
        elif key in seen_keys:
            results[i] = {"idempotency_key": str(key), "status": "duplicate_key"}
        else:
            seen_keys.add(key)
            keys[i], moments[i], specs[i] = key, moment, rec.get("recipient")

    # Keys the server already holds: the replay writes nothing.
    pending = [i for i in range(n) if results[i] is None]
    known: dict[uuid.UUID, int] = {}
    key_list = [keys[i] for i in pending]
    for chunk in _chunks(key_list):
        for k, pk in Issuance.objects.filter(idempotency_key__in=chunk).values_list("idempotency_key", "id"):
            known[k] = pk
    still = []
    for i in pending:
        if keys[i] in known:
            results[i] = {"idempotency_key": str(keys[i]), "status": "duplicate_key", "issuance_id": known[keys[i]]}
        else:
            still.append(i)

    # Who: resolved in bulk.
    whos = resolve_many([specs[i] for i in still])
    candidates: list[int] = []
    who_of: dict[int, Who] = {}
    for i, who in zip(still, whos, strict=True):
        if isinstance(who, str):
            results[i] = {"idempotency_key": str(keys[i]), "status": "invalid", "message": who}
        else:
            who_of[i] = who
            candidates.append(i)

    # Lock the point's stock rows (stock first, then issuances: the same order as issuance_create).
    item_of = {i: items[normalize_text(records[i].get("item", "")).upper()] for i in candidates}
    item_ids = sorted({item_of[i].pk for i in candidates})
    stocks = {s.item_id: s for s in Stock.objects.select_for_update().filter(point=point, item_id__in=item_ids)
              .order_by("pk")}

    # How many each recipient already holds, per item (one grouped query per chunk).
    held: dict[tuple[int, str], int] = {}
    by_item: dict[int, list[int]] = defaultdict(list)
    for i in candidates:
        by_item[item_of[i].pk].append(i)
    for item_id, idx in by_item.items():
        rkeys = sorted({who_of[i].key for i in idx})
        for chunk in _chunks(rkeys):
            for rk, top in (Issuance.objects.filter(campaign=campaign, item_id=item_id, recipient_key__in=chunk)
                            .values_list("recipient_key").annotate(top=Max("seq"))):
                held[(item_id, rk)] = top

    to_insert: dict[int, Issuance] = {}
    conflicts: list[tuple[int, str]] = []
    distributor = actor if getattr(actor, "is_authenticated", False) else None
    for item_id, idx in by_item.items():
        item = item_of[idx[0]]
        idx.sort(key=lambda j: (moments[j], j))
        wanted: list[int] = []
        for i in idx:
            k = (item_id, who_of[i].key)
            seq = held.get(k, 0) + 1
            if seq > item.per_recipient_limit:
                conflicts.append((i, ConflictReason.ALREADY_ISSUED))
                continue
            held[k] = seq
            wanted.append(i)
            who = who_of[i]
            to_insert[i] = Issuance(
                campaign=campaign, item=item, point=point, recipient_key=who.key, seq=seq,
                member_id=who.member_id, recipient_id=who.recipient_id, recipient_name=who.name,
                target_group=who.target_group, issued_at=moments[i], channel=IssueChannel.OFFLINE,
                distributor=distributor, idempotency_key=keys[i],
            )
        stock = stocks.get(item_id)
        available = stock.available if stock else 0
        granted, refused = rules.split_by_stock(wanted, available)
        for i in refused:
            del to_insert[i]
            conflicts.append((i, ConflictReason.OUT_OF_STOCK))

    # Insert; rows another point inserted meanwhile are skipped by the database, then read back.
    rows = list(to_insert.values())
    Issuance.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    inserted: dict[uuid.UUID, int] = {}
    ins_keys = [r.idempotency_key for r in rows]
    for chunk in _chunks(ins_keys):
        for k, pk, point_id in Issuance.objects.filter(idempotency_key__in=chunk).values_list(
                "idempotency_key", "id", "point_id"):
            inserted[k] = pk if point_id == point.pk else -pk
    per_item: dict[int, int] = defaultdict(int)
    for i, row in to_insert.items():
        pk = inserted.get(row.idempotency_key)
        if pk is not None and pk < 0:  # the same key arrived through another point meanwhile
            results[i] = {"idempotency_key": str(keys[i]), "status": "duplicate_key", "issuance_id": -pk}
        elif pk is not None:
            per_item[row.item_id] += 1
            results[i] = {"idempotency_key": str(keys[i]), "status": "issued", "issuance_id": pk}
        else:
            conflicts.append((i, ConflictReason.ALREADY_ISSUED))
    for item_id, count in per_item.items():
        Stock.objects.filter(pk=stocks[item_id].pk).update(issued=F("issued") + count, updated_at=now)

    # Refusals: name where and when for already_issued, and keep them for the point to recover.
    if conflicts:
        existing_by: dict[tuple[int, str], Issuance] = {}
        pairs = {(item_of[i].pk, who_of[i].key) for i, reason in conflicts if reason == ConflictReason.ALREADY_ISSUED}
        by_item_keys: dict[int, list[str]] = defaultdict(list)
        for item_id, rk in pairs:
            by_item_keys[item_id].append(rk)
        for item_id, rks in by_item_keys.items():
            for chunk in _chunks(sorted(rks)):
                for iss in (Issuance.objects.filter(campaign=campaign, item_id=item_id, recipient_key__in=chunk)
                            .select_related("point").order_by("seq")):
                    existing_by[(item_id, iss.recipient_key)] = iss
        conflict_rows = []
        for i, reason in conflicts:
            who, item = who_of[i], item_of[i]
            res: dict[str, Any] = {"idempotency_key": str(keys[i]), "status": str(reason)}
            existing = existing_by.get((item.pk, who.key)) if reason == ConflictReason.ALREADY_ISSUED else None
            if existing is not None:
                when = timezone.localtime(existing.issued_at)
                res.update(issued_at=when.isoformat(), point={"code": existing.point.code,
                                                               "name": existing.point.name},
                           message=_("{n}已于{t}在{p}领取过{i}").format(
                               n=mask_name(who.name), t=when.strftime("%Y-%m-%d %H:%M"), p=existing.point.name,
                               i=item.name))
            elif reason == ConflictReason.OUT_OF_STOCK:
                res["message"] = _("{p}的{i}库存不足，该条未入账").format(p=point.name, i=item.name)
            res["recipient"] = mask_name(who.name)
            results[i] = res
            conflict_rows.append(SyncConflict(
                campaign=campaign, point=point, item=item, idempotency_key=keys[i], reason=reason,
                recipient_key=who.key, recipient_name=who.name, issued_at=moments[i], existing=existing,
                distributor=distributor))
        SyncConflict.objects.bulk_create(conflict_rows, batch_size=1000, ignore_conflicts=True)

    summary: dict[str, int] = defaultdict(int)
    for r in results:
        summary[r["status"]] += 1
    if summary.get("issued") or conflicts:  # a replay that changed nothing leaves no trail
        audit(actor=actor, action="welfare.sync", org=point.org, target=point,
              after={"campaign": campaign.pk, "records": n, **summary})
    return results  # type: ignore[return-value]


@transaction.atomic
def conflict_resolve(*, actor: AbstractBaseUser, conflict: SyncConflict, resolution: str) -> SyncConflict:
    """The point records how an offline conflict was settled (item recovered, written off …)."""
    _require_role(actor, conflict.point.org, ISSUE_ROLES)
    resolution = normalize_text(resolution)[:300]
    if not resolution:
        raise ValidationError({"resolution": [_("请填写处理说明")]})
    conflict = SyncConflict.objects.select_for_update().get(pk=conflict.pk)
    if conflict.resolved_at:
        raise ConflictError("already_resolved", _("该冲突已处理"))
    conflict.resolved_at = timezone.now()
    conflict.resolved_by = actor
    conflict.resolution = resolution
    conflict.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    audit(actor=actor, action="welfare.conflict.resolve", org=conflict.point.org, target=conflict,
          after={"resolution": resolution})
    return conflict


# ---------------------------------------------------------------- care visits (W5)


@transaction.atomic
def care_visit_create(
    *,
    actor: AbstractBaseUser,
    campaign: Campaign,
    org: Organisation,
    visited_unit: str,
    visitors: str,
    visited_at: dt.datetime,
    visited_org: Organisation | None = None,
    people_count: int = 0,
    gifts: str = "",
    gift_value: Decimal | str | int = 0,
    notes: str = "",
    photos: Sequence[Any] = (),
) -> CareVisit:
    _require_role(actor, org)
    if not (org.path.startswith(campaign.owner.path) or campaign.owner.path.startswith(org.path)):
        raise DomainError("outside_campaign", _("{o}不在本活动的组织范围内").format(o=org.name))
    errors: dict[str, list[str]] = {}
    visited_unit = normalize_text(visited_unit) or (visited_org.name if visited_org else "")
    if not visited_unit:
        errors["visited_unit"] = [_("请填写被慰问单位或人员")]
    visitors = normalize_text(visitors)
    if not visitors:
        errors["visitors"] = [_("请填写慰问人员")]
    if visited_at is None:
        errors["visited_at"] = [_("请填写慰问时间")]
    reason = rules.forbidden_item_reason(gifts)
    if reason:
        errors["gifts"] = [reason]
    if errors:
        raise ValidationError(errors)
    visit = CareVisit(
        campaign=campaign, org=org, visited_org=visited_org, visited_unit=visited_unit[:200],
        visitors=visitors[:300], visited_at=visited_at, people_count=max(0, int(people_count or 0)),
        gifts=normalize_text(gifts)[:300], gift_value=_decimal(gift_value or 0, "gift_value", _("物品金额")),
        notes=normalize_text(notes)[:4000], created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    visit.full_clean()
    visit.save()
    for photo in photos:
        p = CareVisitPhoto(visit=visit, image=photo)
        p.full_clean()
        p.save()
    audit(actor=actor, action="welfare.visit.create", org=org, target=visit,
          after=snapshot(visit, ["visited_unit", "visitors", "visited_at", "people_count", "gifts", "gift_value"]))
    return visit
