"""Bulk import of stations from a workbook: validated row by row, all or nothing.

Columns (header row, Chinese or English): 驿站名称/name, 组织代码/org_code, 地址/address, 纬度/lat,
经度/lng, 坐标系/crs (wgs84, gcj02, bd09; default wgs84), 服务设施/amenities (codes or Chinese names,
separated by commas or 、), 营业时间/hours ("24小时" or "周一至周五 08:00-20:00; …"), optional
驿站编号/code, 容纳人数/capacity, 联系电话/contact_phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core.choices import WRITE_ROLES
from gonghui.core.errors import DomainError
from gonghui.core.scope import has_role_on
from gonghui.core.validators import normalize_text
from gonghui.orgs.models import Organisation

from . import services
from .models import Station

__all__ = ["COLUMNS", "ImportError_", "read_rows", "stations_import"]

COLUMNS = {
    "name": ("驿站名称", "名称", "name"),
    "org_code": ("组织代码", "org_code", "org code", "org"),
    "address": ("地址", "address"),
    "lat": ("纬度", "lat"),
    "lng": ("经度", "lng"),
    "crs": ("坐标系", "crs"),
    "amenities": ("服务设施", "amenities"),
    "hours": ("营业时间", "hours"),
    "code": ("驿站编号", "code"),
    "capacity": ("容纳人数", "capacity"),
    "contact_phone": ("联系电话", "contact_phone", "phone"),
}
REQUIRED = ("name", "org_code", "address", "lat", "lng")
LABEL = {key: names[0] for key, names in COLUMNS.items()}
MAX_ROWS = 20_000


@dataclass
class ImportError_:
    row: int
    column: str
    reason: str


def read_rows(file) -> list[tuple[int, dict[str, Any]]]:
    """(row number as Excel shows it, values by column key) for each non-empty data row."""
    from python_calamine import CalamineWorkbook

    data = file.read() if hasattr(file, "read") else open(file, "rb").read()
    try:
        workbook = CalamineWorkbook.from_filelike(__import__("io").BytesIO(data))
        sheet = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:
        raise DomainError("unreadable", _("无法读取该文件，请上传 .xlsx 格式的驿站登记表"))
    if not sheet:
        raise DomainError("empty", _("表格是空的"))
    header = [normalize_text(h).lower() for h in sheet[0]]
    positions: dict[str, int] = {}
    for key, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h in {n.lower() for n in names}:
                positions[key] = i
                break
    missing = [LABEL[k] for k in REQUIRED if k not in positions]
    if missing:
        raise DomainError("missing_columns", _("缺少列：{c}").format(c="、".join(missing)))
    rows = []
    for n, raw in enumerate(sheet[1:], start=2):
        values = {key: raw[i] if i < len(raw) else "" for key, i in positions.items()}
        if all(normalize_text(v) == "" for v in values.values()):
            continue
        rows.append((n, values))
    if len(rows) > MAX_ROWS:
        raise DomainError("too_many_rows", _("一次最多导入{n}行").format(n=MAX_ROWS))
    return rows


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalize_text(value)


@transaction.atomic
def stations_import(*, actor: AbstractBaseUser, file) -> list[Station]:
    """Create every row's station, or none: errors name the row, the column and the reason."""
    rows = read_rows(file)
    errors: list[ImportError_] = []
    created: list[Station] = []
    orgs = {o.code: o for o in Organisation.objects.filter(
        code__in={normalize_text(v.get("org_code")) for _n, v in rows})}
    seen_codes: dict[str, int] = {}
    for n, v in rows:
        row_errors_before = len(errors)
        for key in REQUIRED:
            if normalize_text(v.get(key)) == "":
                errors.append(ImportError_(n, LABEL[key], _("不能为空")))
        org = orgs.get(normalize_text(v.get("org_code")))
        if normalize_text(v.get("org_code")) and (org is None or not has_role_on(actor, org, WRITE_ROLES)):
            errors.append(ImportError_(n, LABEL["org_code"], _("组织代码{c}不存在或不在您的管理范围内").format(
                c=normalize_text(v.get("org_code")))))
        code = normalize_text(v.get("code"))
        if code:
            if code in seen_codes:
                errors.append(ImportError_(n, LABEL["code"], _("与第{r}行编号重复").format(r=seen_codes[code])))
            elif Station.objects.filter(code=code).exists():
                errors.append(ImportError_(n, LABEL["code"], _("驿站编号{c}已存在").format(c=code)))
            seen_codes[code] = n
        if len(errors) > row_errors_before:
            continue
        try:
            with transaction.atomic():
                created.append(services.station_create(
                    actor=actor, org=org, name=normalize_text(v["name"]), address=normalize_text(v["address"]),
                    lat=v["lat"], lng=v["lng"], crs=normalize_text(v.get("crs")).lower() or "wgs84",
                    amenities=normalize_text(v.get("amenities")), hours_text=normalize_text(v.get("hours")) or "24小时",
                    code=code, capacity=int(float(v.get("capacity") or 0)),
                    contact_phone=_num(v.get("contact_phone"))))
        except ValidationError as exc:
            for field, messages in (exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}).items():
                column = {"lat": LABEL["lat"], "lng": LABEL["lng"], "crs": LABEL["crs"],
                          "amenities": LABEL["amenities"], "hours_text": LABEL["hours"],
                          "contact_phone": LABEL["contact_phone"], "name": LABEL["name"],
                          "address": LABEL["address"], "code": LABEL["code"]}.get(field, field or "")
                errors.extend(ImportError_(n, column, m) for m in messages)
        except (ValueError, TypeError):
            errors.append(ImportError_(n, LABEL["capacity"], _("容纳人数必须是整数")))
        except DomainError as exc:
            errors.append(ImportError_(n, "", exc.message))
    if errors:
        transaction.set_rollback(True)
        raise DomainError("import_failed", _("导入失败：{n}处错误，未导入任何驿站").format(n=len(errors)),
                          errors=[{"row": e.row, "column": e.column, "reason": e.reason} for e in errors])
    return created
