"""Who is receiving: resolve a recipient spec (member card, resident ID, phone) to one canonical key.

The canonical recipient key is the keyed hash of the resident ID number (`lookup_hash("id", …)`):
a member's `id_number_hash`, a non-member's `Recipient.key`. A member scanned by card and the same
person looked up by ID number therefore get the same key, and the database's unique constraint on
(campaign, item, recipient_key, seq) sees them as one person.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gonghui.core.crypto import lookup_hash
from gonghui.core.errors import DomainError, NotFound
from gonghui.core.validators import normalize_id_number, normalize_phone, normalize_text
from gonghui.orgs import selectors as org_selectors
from gonghui.orgs.models import CARD_SALT, Member

from .choices import TargetGroup
from .models import Recipient

__all__ = ["Who", "mask_name", "member_target_group", "resolve_many", "resolve_one", "spec_kind"]


@dataclass(frozen=True)
class Who:
    key: str
    name: str
    member_id: int | None
    recipient_id: int | None
    target_group: str
    org_name: str = ""

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧**娜: enough to confirm the person, not to expose them."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def member_target_group(new_form_type: str, is_outdoor_worker: bool) -> str:
    if new_form_type:
        return TargetGroup.NEW_FORM
    if is_outdoor_worker:
        return TargetGroup.OUTDOOR
    return TargetGroup.OTHER


def _from_member(m: Member) -> Who:
    return Who(key=m.id_number_hash, name=m.name, member_id=m.pk, recipient_id=None,
               target_group=member_target_group(m.new_form_type, m.is_outdoor_worker),
               org_name=m.org.name if "org" in m._state.fields_cache else "")


def _from_recipient(r: Recipient) -> Who:
    return Who(key=r.key, name=r.name, member_id=None, recipient_id=r.pk, target_group=r.target_group)


def spec_kind(spec: object) -> tuple[str, str]:
    """('card'|'id_number'|'phone', value) of a recipient spec, or raise DomainError invalid."""
    if not isinstance(spec, dict):
        raise DomainError("invalid", _("领取人信息格式不正确"))
    for kind in ("card", "id_number", "phone"):
        value = spec.get(kind)
        if value:
            return kind, normalize_text(value)
    raise DomainError("invalid", _("请扫描会员码，或输入手机号、身份证号码"))


def resolve_one(spec: object) -> Who:
    """The recipient a spec names; NotFound `recipient_not_found` when nobody matches."""
    kind, value = spec_kind(spec)
    try:
        if kind == "card":
            member = org_selectors.member_by_card_token(token=value)
            if member is None:
                raise NotFound("recipient_not_found", _("无法识别的会员码，请让职工刷新会员码后重试"))
            return _from_member(member)
        if kind == "id_number":
            number = normalize_id_number(value)
            member = org_selectors.member_by_id_number(id_number=number)
            if member is not None:
                return _from_member(member)
            recipient = Recipient.objects.filter(key=lookup_hash("id", number)).first()
            if recipient is not None:
                return _from_recipient(recipient)
            raise NotFound("recipient_not_found", _("未找到该身份证号码对应的会员或登记人员，可登记为非会员领取人"))
        phone = normalize_phone(value)
        member = org_selectors.member_by_phone(phone=phone)
        if member is not None:
            return _from_member(member)
        recipient = Recipient.objects.filter(phone_hash=lookup_hash("phone", phone)).order_by("id").first()
        if recipient is not None:
            return _from_recipient(recipient)
        raise NotFound("recipient_not_found", _("未找到该手机号对应的会员或登记人员，可登记为非会员领取人"))
    except ValidationError as exc:
        raise DomainError("invalid", exc.messages[0])


def _card_numbers(tokens: Iterable[str]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for token in tokens:
        try:
            data = signing.loads(token, salt=CARD_SALT)
        except signing.BadSignature:
            continue
        if isinstance(data, dict) and data.get("c"):
            out[token] = (str(data["c"]), str(data.get("n", "")))
    return out


def _chunks(values: Sequence, size: int = 900):
    for i in range(0, len(values), size):
        yield values[i:i + size]


def resolve_many(specs: Sequence[object]) -> list[Who | str]:
    """Resolve many specs with a handful of queries; each result is a Who or a Chinese error message."""
    parsed: list[tuple[str, str] | str] = []
    for spec in specs:
        try:
            kind, value = spec_kind(spec)
            if kind == "id_number":
                value = normalize_id_number(value)
            elif kind == "phone":
                value = normalize_phone(value)
            parsed.append((kind, value))
        except DomainError as exc:
            parsed.append(exc.message)
        except ValidationError as exc:
            parsed.append(exc.messages[0])

    tokens = sorted({p[1] for p in parsed if isinstance(p, tuple) and p[0] == "card"})
    ids = sorted({lookup_hash("id", p[1]) for p in parsed if isinstance(p, tuple) and p[0] == "id_number"})
    phones = sorted({lookup_hash("phone", p[1]) for p in parsed if isinstance(p, tuple) and p[0] == "phone"})

    fields = ("id", "name", "id_number_hash", "phone_hash", "card_no", "card_nonce", "new_form_type",
              "is_outdoor_worker", "status")
    by_card: dict[str, tuple] = {}
    cards = _card_numbers(tokens)
    card_nos = sorted({c for c, _n in cards.values()})
    for chunk in _chunks(card_nos):
        for row in Member.objects.filter(card_no__in=chunk).values_list(*fields):
            by_card[row[4]] = row
    by_id: dict[str, tuple] = {}
    for chunk in _chunks(ids):
        for row in Member.objects.filter(id_number_hash__in=chunk).values_list(*fields):
            by_id[row[2]] = row
    by_phone: dict[str, tuple] = {}
    for chunk in _chunks(phones):
        # Prefer an active member when a phone is shared (same order as orgs.selectors.member_by_phone).
        for row in Member.objects.filter(phone_hash__in=chunk).order_by("-status", "-id").values_list(*fields):
            by_phone[row[3]] = row
    rec_fields = ("id", "key", "name", "phone_hash", "target_group")
    rec_by_key: dict[str, tuple] = {}
    missing_ids = [h for h in ids if h not in by_id]
    for chunk in _chunks(missing_ids):
        for row in Recipient.objects.filter(key__in=chunk).values_list(*rec_fields):
            rec_by_key[row[1]] = row
    rec_by_phone: dict[str, tuple] = {}
    missing_phones = [h for h in phones if h not in by_phone]
    for chunk in _chunks(missing_phones):
        for row in Recipient.objects.filter(phone_hash__in=chunk).order_by("-id").values_list(*rec_fields):
            rec_by_phone[row[3]] = row

    def member_who(row: tuple) -> Who:
        return Who(key=row[2], name=row[1], member_id=row[0], recipient_id=None,
                   target_group=member_target_group(row[6], row[7]))

    def recipient_who(row: tuple) -> Who:
        return Who(key=row[1], name=row[2], member_id=None, recipient_id=row[0], target_group=row[4])

    results: list[Who | str] = []
    for p in parsed:
        if isinstance(p, str):
            results.append(p)
            continue
        kind, value = p
        if kind == "card":
            card = cards.get(value)
            row = by_card.get(card[0]) if card else None
            if row is None or row[5] != card[1]:
                results.append(_("无法识别的会员码"))
            else:
                results.append(member_who(row))
        elif kind == "id_number":
            h = lookup_hash("id", value)
            if h in by_id:
                results.append(member_who(by_id[h]))
            elif h in rec_by_key:
                results.append(recipient_who(rec_by_key[h]))
            else:
                results.append(_("未找到该身份证号码对应的会员或登记人员"))
        else:
            h = lookup_hash("phone", value)
            if h in by_phone:
                results.append(member_who(by_phone[h]))
            elif h in rec_by_phone:
                results.append(recipient_who(rec_by_phone[h]))
            else:
                results.append(_("未找到该手机号对应的会员或登记人员"))
    return results
