"""Organisations and members in and out of Excel, on the core import pipeline.

`IMPORTERS["orgs"]` (kind "orgs.orgs") builds organisation trees; `IMPORTERS["members"]`
(kind "orgs.members") admits members in bulk. Both validate every row and every cross-row rule
and write in one transaction only when nothing is wrong (core.imports.run_import).

Members are bulk-created here rather than through `services.member_create`, for speed; every row is
exactly what member_create would write: `services.prepare_member_values` normalises and hashes,
`services.new_card_numbers` gives card numbers, `Member.new_card_nonce()` the nonces, and one audit
row ("member.import") records the import with its count and file name.

Organisations get their tree paths computed here (treebeard's materialised path: a parent's path plus
one 4-character step per level) and are bulk-created level by level, because `add_child` costs a few
queries per node (minutes for 50,000 organisations) while this is one query per batch.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit
from gonghui.core.choices import Role
from gonghui.core.errors import NotFound, PermissionDeniedError
from gonghui.core.exports import write_xlsx
from gonghui.core.imports import Column, Importer, RowRejected, SheetRow, cell_date, cell_text, iter_batches
from gonghui.core.scope import has_role_on, scope_paths
from gonghui.core.validators import mask_id_number, mask_phone

from . import services
from .choices import MemberStatus, NewFormType, OrgStatus, OrgType
from .models import Member, Organisation

__all__ = ["EXPORTERS", "IMPORTERS", "MemberExporter", "MemberImporter", "OrgImporter"]

WRITE = (Role.ADMIN, Role.STAFF)


def _require_write(actor, org: Organisation) -> None:
    """The import's target organisation needs a write role (the command line, actor None, is trusted)."""
    if actor is None:
        return
    if not has_role_on(actor, org, WRITE):
        if not has_role_on(actor, org, tuple(Role)):
            raise NotFound("not_found", _("未找到该组织"))
        raise PermissionDeniedError("permission_denied", _("您没有在该组织导入数据的权限"))


# ---------------------------------------------------------------- members

# What is kept per valid row until the write (a tuple, not a dict: 100,000 rows must fit in memory).
# The masked copies and phone_last4 are derived again at write time by the same core functions
# prepare_member_values uses, so the rows are identical and each row holds ~200 bytes less.
_MEMBER_FIELDS = ("name", "name_pinyin", "name_initials", "id_number", "id_number_hash", "gender", "birth_date",
                  "phone", "phone_hash", "employer", "trade", "new_form_type")
_SHARED = {"gender", "birth_date", "employer", "trade", "new_form_type"}  # few distinct values: share them
_FIELD_TO_COLUMN = {"name": "name", "id_number": "id_number", "phone": "phone", "new_form_type": "new_form",
                    "employer": "employer", "trade": "trade"}
_YES = {"是", "y", "yes", "true", "1", "√", "✓"}
_NO = {"", "否", "n", "no", "false", "0", "无"}
_NEW_FORM_BY_NAME = {}
for _value, _label in NewFormType.choices:
    if _value:
        _NEW_FORM_BY_NAME[_value] = _value
        _NEW_FORM_BY_NAME[str(_label)] = _value
_NEW_FORM_BY_NAME.update({"外卖员": NewFormType.FOOD_DELIVERY, "骑手": NewFormType.FOOD_DELIVERY,
                          "外卖骑手": NewFormType.FOOD_DELIVERY, "快递": NewFormType.COURIER,
                          "网约车": NewFormType.RIDE_HAILING, "其他": NewFormType.OTHER})


def parse_new_form(text: str) -> str:
    """是/否 or a type (label or code) → a NewFormType value; ValueError when unknown."""
    key = text.strip().lower()
    if key in _NO:
        return ""
    if key in _YES:
        return NewFormType.OTHER
    try:
        return _NEW_FORM_BY_NAME[text.strip()] if text.strip() in _NEW_FORM_BY_NAME else _NEW_FORM_BY_NAME[key]
    except KeyError:
        raise ValueError(text)


class MemberImporter(Importer):
    kind = "orgs.members"
    title = _("会员")
    needs_org = True
    columns = (
        Column("name", "姓名", ("会员姓名", "name"), required=True, max_length=60, example="张三"),
        Column("id_number", "身份证号", ("身份证号码", "身份证", "公民身份号码", "id_number", "idcard", "id"),
               required=True, max_length=40, example="11010519800101001X"),
        Column("phone", "手机号", ("手机号码", "手机", "联系电话", "mobile", "phone"), required=True, max_length=40,
               example="13900000000"),
        Column("employer", "工作单位", ("单位", "employer"), max_length=200, example="北京燃气集团"),
        Column("trade", "工种", ("trade",), max_length=60, example="焊工"),
        Column("joined_on", "入会日期", ("入会时间", "joined_on", "joined"), max_length=40, example="2025-07-01",
               help="2025-07-01、2025/7/1 或 2025年7月1日；空白为今天"),
        Column("new_form", "新就业形态", ("新就业形态类型", "new_form", "new_form_type"), max_length=40, example="否",
               help="是/否，或 快递员、外卖配送员、网约车司机、货车司机"),
        Column("org_code", "组织代码", ("工会代码", "org_code", "org"), max_length=32, example="",
               help="空白为导入时选择的工会；填写则须是其下级组织"),
    )

    def __init__(self, *, actor, org: Organisation | None = None, file_name: str = "") -> None:
        super().__init__(actor=actor, org=org, file_name=file_name)
        self.today = timezone.localdate()
        self._shared: dict = {}

    def check_access(self) -> None:
        if self.org is None:
            raise NotFound("not_found", _("请指定导入到哪个工会"))
        _require_write(self.actor, self.org)

    def parse_row(self, row: SheetRow) -> Any:
        n = row.number
        raw_id = row.cells.get("id_number")
        if isinstance(raw_id, (int, float)) and not isinstance(raw_id, bool) and abs(raw_id) >= 1e14:
            self.error(n, "id_number", raw_id, _("身份证号被 Excel 存成了数字，末几位已丢失：请把该列设为文本后重新填写"))
            raise RowRejected
        id_text = self.text(row, "id_number")
        if "E+" in id_text.upper() and "." in id_text:
            self.error(n, "id_number", id_text, _("身份证号被 Excel 显示为科学计数法，末几位已丢失：请把该列设为文本后重新填写"))
            raise RowRejected
        name = self.text(row, "name")
        phone = self.text(row, "phone")
        employer = self.text(row, "employer") if "employer" in row.cells else ""
        trade = self.text(row, "trade") if "trade" in row.cells else ""
        nf_text = self.text(row, "new_form") if "new_form" in row.cells else ""
        ok = True
        try:
            new_form = parse_new_form(nf_text)
        except ValueError:
            self.error(n, "new_form", nf_text, _("无法识别的新就业形态：应为 是/否 或 快递员、外卖配送员、网约车司机、货车司机、其他新就业形态"))
            new_form, ok = "", False
        joined = self.today
        raw_joined = row.cells.get("joined_on", "")
        if raw_joined not in (None, "") and cell_text(raw_joined):
            try:
                joined = cell_date(raw_joined)
            except ValueError as exc:
                self.error(n, "joined_on", raw_joined, str(exc))
                ok = False
            else:
                if joined > self.today:
                    self.error(n, "joined_on", raw_joined, _("入会日期不能晚于今天"))
                    ok = False
                elif joined.year < 1900:
                    self.error(n, "joined_on", raw_joined, _("入会日期超出合理范围"))
                    ok = False
        org_code = self.text(row, "org_code").upper() if "org_code" in row.cells else ""
        try:
            values = services.prepare_member_values(
                name=name, id_number=id_text, phone=phone, employer=employer, trade=trade, new_form_type=new_form)
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                key = _FIELD_TO_COLUMN.get(field_name, field_name)
                value = {"name": name, "id_number": id_text, "phone": phone, "new_form": nf_text}.get(key, "")
                for message in messages:
                    self.error(n, key, value, message)
            return None
        if not ok:
            return None
        shared = self._shared
        return (org_code or None, shared.setdefault(joined, joined),
                tuple(shared.setdefault(values[k], values[k]) if k in _SHARED else values[k] for k in _MEMBER_FIELDS))

    def preview_headers(self) -> list[str]:
        return ["行", "姓名", "身份证号", "手机号", "工作单位", "工种", "入会日期", "新就业形态", "组织代码"]

    def preview(self, item: Any) -> list[Any]:
        org_code, joined, values = item
        v = dict(zip(_MEMBER_FIELDS, values, strict=True))
        return [v["name"], mask_id_number(v["id_number"]), mask_phone(v["phone"]), v["employer"], v["trade"],
                joined.isoformat(),
                str(NewFormType(v["new_form_type"]).label) if v["new_form_type"] else "否",
                org_code or self.org.code]

    def check_all(self, items: list[tuple[int, Any]]) -> None:
        hash_at = _MEMBER_FIELDS.index("id_number_hash")
        id_at = _MEMBER_FIELDS.index("id_number")
        first_row: dict[str, int] = {}
        for number, (_code, _joined, values) in items:
            h = values[hash_at]
            if h in first_row:
                self.error(number, "id_number", values[id_at],
                           _("与第{r}行的身份证号重复").format(r=first_row[h]))
            else:
                first_row[h] = number
        # Already members (anywhere): name the union, transfer is the way.
        hashes = list(first_row)
        existing: dict[str, str] = {}
        for batch in iter_batches(hashes, 500):
            existing.update(Member.objects.filter(id_number_hash__in=batch).values_list("id_number_hash", "org__name"))
        if existing:
            for number, (_code, _joined, values) in items:
                org_name = existing.get(values[hash_at])
                if org_name is not None and first_row.get(values[hash_at]) == number:
                    self.error(number, "id_number", values[id_at],
                               _("该身份证号码已是{o}的会员，请通过会员组织关系转接办理").format(o=org_name))
        # Organisations: the default one and every org code of the file.
        codes = {code for _n, (code, _j, _v) in items if code}
        self.orgs = {self.org.code: self.org}
        for batch in iter_batches(sorted(codes - {self.org.code}), 500):
            for org in Organisation.objects.filter(code__in=batch):
                self.orgs[org.code] = org
        checked: dict[str, str | None] = {}
        for number, (code, _joined, _values) in items:
            key = code or self.org.code
            if key not in checked:
                checked[key] = self._org_problem(key, explicit=bool(code))
            if checked[key]:
                self.error(number, "org_code", code, checked[key])

    def _org_problem(self, code: str, *, explicit: bool) -> str | None:
        org = self.orgs.get(code)
        if org is None:
            return _("组织代码{c}不存在").format(c=code)
        if not org.path.startswith(self.org.path):
            return _("组织代码{c}不在{o}的下级组织中").format(c=code, o=self.org.name)
        if org.type not in (OrgType.BASE, OrgType.JOINT):
            if not explicit:
                return _("{o}是{t}，不能直接接收会员：请在组织代码列填写基层工会或联合工会").format(
                    o=org.name, t=org.get_type_display())
            return _("会员只能加入基层工会或联合工会，{o}是{t}").format(o=org.name, t=org.get_type_display())
        if org.status == OrgStatus.DISSOLVED:
            return _("{o}已撤销，不能接收会员").format(o=org.name)
        return None

    def write(self, items: list[tuple[int, Any]], progress: Callable[[int], None]) -> int:
        cards = services.new_card_numbers(len(items))
        written = 0
        for start in range(0, len(items), self.batch_size):
            batch = items[start:start + self.batch_size]
            members = []
            for i, (_number, (code, joined, values)) in enumerate(batch):
                v = dict(zip(_MEMBER_FIELDS, values, strict=True))
                phone = v["phone"]
                members.append(Member(
                    org=self.orgs[code or self.org.code], joined_on=joined, is_outdoor_worker=False,
                    status=MemberStatus.ACTIVE, card_no=cards[start + i], card_nonce=Member.new_card_nonce(),
                    id_number_masked=mask_id_number(v["id_number"]), phone_masked=mask_phone(phone) if phone else "",
                    phone_last4=phone[-4:] if phone else "", **v,
                ))
            Member.objects.bulk_create(members, batch_size=self.batch_size)
            written += len(members)
            progress(written)
        audit(actor=self.actor, action="member.import", org=self.org, target=self.org,
              after={"count": written, "file": self.file_name})
        return written


# ---------------------------------------------------------------- organisations

_TYPE_BY_NAME: dict[str, str] = {}
for _value, _label in OrgType.choices:
    _TYPE_BY_NAME[_value] = _value
    _TYPE_BY_NAME[str(_label)] = _value
_TYPE_BY_NAME.update({"街道总工会": OrgType.STREET, "乡镇总工会": OrgType.STREET, "市总工会": OrgType.FEDERATION,
                      "行业工会": OrgType.INDUSTRY, "企业工会": OrgType.BASE})


class OrgImporter(Importer):
    kind = "orgs.orgs"
    title = _("组织")
    columns = (
        Column("code", "组织代码", ("代码", "code", "org_code"), required=True, max_length=32, example="SY-NEW"),
        Column("name", "组织名称", ("名称", "工会名称", "name"), required=True, max_length=200,
               example="北京某某有限公司工会"),
        Column("type", "组织类型", ("类型", "type"), required=True, max_length=20, example="基层工会",
               help="总工会、区总工会、产业工会、街道总工会、基层工会、联合工会"),
        Column("parent_code", "上级组织代码", ("上级代码", "上级组织", "parent_code", "parent"), max_length=32,
               example="SY"),
        Column("uscc", "统一社会信用代码", ("信用代码", "uscc"), max_length=30, example=""),
        Column("address", "地址", ("address",), max_length=300, example="北京市顺义区"),
    )

    def check_access(self) -> None:
        if self.actor is not None and scope_paths(self.actor, WRITE) == []:
            raise PermissionDeniedError("permission_denied", _("您没有导入组织的权限"))

    def parse_row(self, row: SheetRow) -> Any:
        n = row.number
        code = self.text(row, "code").upper().replace(" ", "")
        name = self.text(row, "name")
        type_text = self.text(row, "type")
        parent = self.text(row, "parent_code").upper().replace(" ", "") if "parent_code" in row.cells else ""
        uscc = self.text(row, "uscc") if "uscc" in row.cells else ""
        address = self.text(row, "address") if "address" in row.cells else ""
        org_type = _TYPE_BY_NAME.get(type_text) or _TYPE_BY_NAME.get(type_text.lower())
        if not type_text:
            self.error(n, "type", type_text, _("组织类型不能为空"))
        elif org_type is None:
            self.error(n, "type", type_text,
                       _("未知的组织类型：应为 总工会、区总工会、产业工会、街道总工会、基层工会 或 联合工会"))
        try:
            values = services._clean_org_values(dict(code=code, name=name, type=org_type or OrgType.BASE,
                                                      uscc=uscc, address=address, status=OrgStatus.ACTIVE))
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                for message in messages:
                    self.error(n, key, {"code": code, "name": name, "uscc": uscc}.get(key, ""), message)
            return None
        if org_type is None:
            return None
        values["type"] = org_type
        return {"values": values, "parent": parent}

    def preview_headers(self) -> list[str]:
        return ["行", "组织代码", "组织名称", "组织类型", "上级组织代码", "统一社会信用代码", "地址"]

    def preview(self, item: Any) -> list[Any]:
        v = item["values"]
        return [v["code"], v["name"], str(OrgType(v["type"]).label), item["parent"], v["uscc"], v["address"]]

    def check_all(self, items: list[tuple[int, Any]]) -> None:
        by_code: dict[str, tuple[int, dict]] = {}
        uscc_row: dict[str, int] = {}
        for number, item in items:
            code = item["values"]["code"]
            if code in by_code:
                self.error(number, "code", code, _("组织代码与第{r}行重复").format(r=by_code[code][0]))
                continue
            by_code[code] = (number, item)
            uscc = item["values"]["uscc"]
            if uscc:
                if uscc in uscc_row:
                    self.error(number, "uscc", uscc, _("统一社会信用代码与第{r}行重复").format(r=uscc_row[uscc]))
                else:
                    uscc_row[uscc] = number
        codes = sorted(by_code)
        for batch in iter_batches(codes, 500):
            for code in Organisation.objects.filter(code__in=batch).values_list("code", flat=True):
                self.error(by_code[code][0], "code", code, _("组织代码{c}已存在").format(c=code))
        for batch in iter_batches(sorted(uscc_row), 500):
            for uscc in Organisation.objects.filter(uscc__in=batch).values_list("uscc", flat=True):
                self.error(uscc_row[uscc], "uscc", uscc, _("该统一社会信用代码已被其他组织使用"))
        # Parents: in the file (before or after the child) or in the database, within the actor's scope.
        outside = sorted({item["parent"] for _n, item in by_code.values() if item["parent"]} - set(by_code))
        self.db_parents: dict[str, Organisation] = {}
        for batch in iter_batches(outside, 500):
            for org in Organisation.objects.filter(code__in=batch):
                self.db_parents[org.code] = org
        for code, (number, item) in by_code.items():
            parent = item["parent"]
            if not parent:
                if self.actor is not None and not self.actor.is_superuser:
                    self.error(number, "parent_code", "", _("上级组织代码不能为空（只有系统管理员可以导入顶级组织）"))
                continue
            if parent == code:
                self.error(number, "parent_code", parent, _("上级组织不能是它自己"))
            elif parent not in by_code:
                org = self.db_parents.get(parent)
                if org is None or (self.actor is not None and not has_role_on(self.actor, org, WRITE)):
                    self.error(number, "parent_code", parent, _("上级组织代码{c}不存在").format(c=parent))
        # Cycles among the file's rows (A → B → A): walk up each chain once.
        state: dict[str, int] = {}  # 1 = on the current walk, 2 = settled
        for start in by_code:
            chain: list[str] = []
            code = start
            while code in by_code and state.get(code) is None:
                state[code] = 1
                chain.append(code)
                code = by_code[code][1]["parent"]
            if code in by_code and state.get(code) == 1 and code in chain:
                loop = chain[chain.index(code):]
                text = " → ".join([*loop, code])
                for member_code in loop:
                    number, item = by_code[member_code]
                    if member_code != item["parent"]:
                        self.error(number, "parent_code", item["parent"], _("上级关系形成循环：{c}").format(c=text))
            for c in chain:
                state[c] = 2
        self.by_code = by_code

    def write(self, items: list[tuple[int, Any]], progress: Callable[[int], None]) -> int:
        """Compute materialised paths level by level, then bulk-create; parents' numchild updated."""
        children: dict[str, list[str]] = defaultdict(list)  # parent code ("" = root) → child codes (file order)
        for code, (_number, item) in self.by_code.items():
            children[item["parent"]].append(code)
        steplen, alphabet = Organisation.steplen, Organisation.alphabet
        base = len(alphabet)

        def step(n: int) -> str:
            digits = ""
            while n:
                n, rem = divmod(n, base)
                digits = alphabet[rem] + digits
            if len(digits) > steplen:
                raise ValueError("path overflow")
            return digits.rjust(steplen, alphabet[0])

        def last_position(parent_path: str, depth: int) -> int:
            qs = Organisation.objects.filter(depth=depth)
            if parent_path:
                qs = qs.filter(path__startswith=parent_path)
            last = qs.order_by("-path").values_list("path", flat=True).first()
            return Organisation._str2int(last[-steplen:]) if last else 0

        now = timezone.now()
        created = 0
        # Start from the roots of the file: children of database organisations, or new roots.
        level: list[tuple[str, str, int]] = []  # (code, path, depth)
        anchors = [("", "", 0)] if children.get("") else []
        anchors += [(code, org.path, org.depth) for code, org in self.db_parents.items() if code in children]
        for parent_code, parent_path, depth in anchors:
            position = last_position(parent_path, depth + 1)
            for code in children[parent_code]:
                position += 1
                level.append((code, parent_path + step(position), depth + 1))
            if parent_code:
                Organisation.objects.filter(code=parent_code).update(numchild=F("numchild") + len(children[parent_code]))
        while level:
            nodes = []
            next_level = []
            for code, path, depth in level:
                kids = children.get(code, [])
                values = self.by_code[code][1]["values"]
                nodes.append(Organisation(path=path, depth=depth, numchild=len(kids), created_at=now,
                                          updated_at=now, **values))
                for i, kid in enumerate(kids, start=1):
                    next_level.append((kid, path + step(i), depth + 1))
            for batch in iter_batches(nodes, 1000):
                Organisation.objects.bulk_create(batch, batch_size=1000)
                created += len(batch)
                progress(created)
            level = next_level
        anchor_org = next(iter(self.db_parents.values())) if len(self.db_parents) == 1 else None
        audit(actor=self.actor, action="org.import", org=anchor_org, target=anchor_org,
              after={"count": created, "file": self.file_name})
        return created


# ---------------------------------------------------------------- exports

MEMBER_EXPORT_HEADERS = ["姓名", "身份证号", "手机号", "性别", "出生日期", "所在工会", "组织代码", "工作单位", "工种",
                         "入会日期", "新就业形态", "状态", "会员卡号"]


class MemberExporter:
    """Members of an organisation's subtree to a streamed workbook; full ID numbers and phones audited."""

    kind = "orgs.members"
    title = _("会员")

    def __init__(self, *, actor, org: Organisation, full_pii: bool = False) -> None:
        self.actor = actor
        self.org = org
        self.full_pii = full_pii

    def check_access(self) -> None:
        if self.actor is None:
            return
        if self.full_pii:
            if not has_role_on(self.actor, self.org, (Role.ADMIN,)):
                if not has_role_on(self.actor, self.org, tuple(Role)):
                    raise NotFound("not_found", _("未找到该组织"))
                raise PermissionDeniedError("permission_denied", _("只有管理员可以导出完整的身份证号和手机号"))
        elif not has_role_on(self.actor, self.org, (Role.ADMIN, Role.STAFF, Role.VIEWER)):
            raise NotFound("not_found", _("未找到该组织"))

    def queryset(self):
        return (Member.objects.filter(org__path__startswith=self.org.path)
                .order_by("org__path", "name_pinyin", "id"))

    def count(self) -> int:
        return self.queryset().count()

    def rows(self):
        genders = {"male": "男", "female": "女"}
        statuses = dict(MemberStatus.choices)
        new_forms = dict(NewFormType.choices)
        fields = ["name", "id_number_masked", "phone_masked", "gender", "birth_date", "org__name", "org__code",
                  "employer", "trade", "joined_on", "new_form_type", "status", "card_no"]
        if self.full_pii:
            qs = self.queryset().select_related("org").only(
                "name", "id_number", "phone", "gender", "birth_date", "org__name", "org__code", "employer", "trade",
                "joined_on", "new_form_type", "status", "card_no")
            for m in qs.iterator(chunk_size=2000):
                yield [m.name, m.id_number, m.phone, genders.get(m.gender, ""), m.birth_date, m.org.name,
                       m.org.code, m.employer, m.trade, m.joined_on,
                       str(new_forms.get(m.new_form_type, "")) if m.new_form_type else "否",
                       str(statuses.get(m.status, m.status)), m.card_no]
            return
        for row in self.queryset().values_list(*fields).iterator(chunk_size=5000):
            (name, idm, phm, gender, birth, org_name, org_code, employer, trade, joined, nf, status, card) = row
            yield [name, idm, phm, genders.get(gender, ""), birth, org_name, org_code, employer, trade, joined,
                   str(new_forms.get(nf, "")) if nf else "否", str(statuses.get(status, status)), card]

    def export(self, target: str | Path, progress: Callable[[int], None] | None = None,
               file_name: str | None = None) -> int:
        self.check_access()
        count = write_xlsx(target, MEMBER_EXPORT_HEADERS, self.rows(), sheet="会员",
                           text_columns=(1, 2, 12), progress=progress)
        if self.full_pii:
            audit(actor=self.actor, action="member.export_pii", org=self.org, target=self.org,
                  after={"count": count, "file": file_name or Path(target).name})
        return count

    def file_name(self) -> str:
        return "{o}-会员-{d}.xlsx".format(o=self.org.code, d=dt.date.today().strftime("%Y%m%d"))


IMPORTERS = {"members": MemberImporter, "orgs": OrgImporter}
EXPORTERS = {"members": MemberExporter}

