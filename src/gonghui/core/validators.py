"""Validators of the identifiers union work uses (RULES I1–I3), with Chinese messages.

Each `normalize_*` returns the canonical form or raises ValidationError with a code that says which
rule failed, so importers and forms can report exactly why a value was refused.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc

__all__ = [
    "IdInfo",
    "mask_id_number",
    "mask_phone",
    "normalize_id_number",
    "normalize_phone",
    "normalize_text",
    "normalize_uscc",
    "id_number_info",
    "id_check_character",
]

_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_PHONE = re.compile(r"^(?:(?:\+|00)86)?(1[3-9]\d{9})$")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


# Full-width forms folded to ASCII: letters, digits and the symbols found in codes, numbers and dates.
# Chinese punctuation （），、：；“” stays as typed: it is part of names such as 京恒（北京）.
_FOLD = {0xFF10 + i: 0x30 + i for i in range(10)}
_FOLD |= {0xFF21 + i: 0x41 + i for i in range(26)}
_FOLD |= {0xFF41 + i: 0x61 + i for i in range(26)}
_FOLD |= {ord(f): ord(a) for f, a in zip("＋－．／＠＿＃", "+-./@_#", strict=True)}
_FOLD |= {0x3000: 0x20, 0x00A0: 0x20}  # ideographic and no-break spaces


def normalize_text(value: object) -> str:
    """Fold full-width letters, digits and code symbols to ASCII, trim and collapse inner blanks.

    Unicode NFC only (not NFKC), so Chinese punctuation in names and titles is kept.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).translate(_FOLD)
    return re.sub(r"\s+", " ", text).strip()


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits (RULES I1)."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalize_id_number(value: object) -> str:
    """Resident ID number (GB 11643-1999): 18 characters, real birth date, MOD 11-2 check."""
    raw = normalize_text(value).replace(" ", "").upper()
    if not raw:
        raise ValidationError(_("身份证号码不能为空"), code="id_required")
    if len(raw) != 18:
        raise ValidationError(
            _("身份证号码应为18位，实际为{n}位").format(n=len(raw)), code="id_length"
        )
    if not _ID_SHAPE.match(raw):
        raise ValidationError(
            _("身份证号码只能由17位数字和最后一位数字或X组成"), code="id_format"
        )
    try:
        birth = dt.date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        raise ValidationError(
            _("身份证号码中的出生日期{d}不是有效日期").format(d=raw[6:14]), code="id_birth_date"
        )
    if birth.year < 1900 or birth > dt.date.today():
        raise ValidationError(
            _("身份证号码中的出生日期{d}超出合理范围").format(d=raw[6:14]), code="id_birth_date"
        )
    expected = id_check_character(raw[:17])
    if raw[17] != expected:
        raise ValidationError(
            _("身份证号码校验位错误：最后一位应为{c}").format(c=expected), code="id_checksum"
        )
    return raw


class IdInfo:
    """What a resident ID number says about its holder (derived, never typed twice)."""

    def __init__(self, number: str) -> None:
        self.number = number
        self.birth_date = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        self.gender = "male" if int(number[16]) % 2 == 1 else "female"
        self.area_code = number[:6]


def id_number_info(value: object) -> IdInfo:
    return IdInfo(normalize_id_number(value))


def normalize_phone(value: object) -> str:
    """Mainland mobile number (RULES I2); returns the 11 digits without the country prefix."""
    raw = normalize_text(value).replace(" ", "").replace("-", "")
    if not raw:
        raise ValidationError(_("手机号码不能为空"), code="phone_required")
    match = _PHONE.match(raw)
    if not match:
        raise ValidationError(
            _("手机号码格式不正确：应为1开头的11位手机号"), code="phone_format"
        )
    return match.group(1)


def normalize_uscc(value: object) -> str:
    """Unified social credit code (GB 32100-2015): 18 characters, MOD 31 check."""
    raw = normalize_text(value).replace(" ", "").upper()
    if len(raw) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，实际为{n}位").format(n=len(raw)), code="uscc_length"
        )
    bad = [c for c in raw if c not in _USCC_ALPHABET]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：{c}").format(c="".join(bad)), code="uscc_format"
        )
    expected = uscc.calc_check_digit(raw[:17])
    if raw[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：最后一位应为{c}").format(c=expected), code="uscc_checksum"
        )
    return raw


def mask_id_number(number: str) -> str:
    if len(number) != 18:
        return "*" * len(number)
    return number[:6] + "*" * 8 + number[14:]


def mask_phone(number: str) -> str:
    if len(number) != 11:
        return "*" * len(number)
    return number[:3] + "****" + number[7:]
