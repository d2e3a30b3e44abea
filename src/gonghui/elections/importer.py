"""Read a ballots workbook (one row per ballot) with python-calamine.

Layout: the first row names the columns — one column per candidate (its name), whose cells hold
同意/○/√/1 (yes), 不同意/×/0 (no), 弃权/△ (abstain) or nothing; and columns whose header starts with
"另选" holding write-in names. Other columns (序号, 备注) are ignored.
TODO(import pipeline): move onto core's import pipeline (error workbook, CSV/GBK) once it lands.
"""

from __future__ import annotations

from typing import IO, Any

from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from gonghui.core.errors import DomainError
from gonghui.core.validators import normalize_text

__all__ = ["read_ballots"]

YES = {"同意", "○", "〇", "O", "√", "✓", "1", "yes", "YES", "赞成"}
NO = {"不同意", "×", "X", "x", "0", "no", "NO", "反对"}
ABSTAIN = {"弃权", "△", "abstain"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(str(value))


def read_ballots(fileobj: IO[bytes], *, candidates: list[str]) -> list[dict[str, list[str]]]:
    try:
        workbook = CalamineWorkbook.from_filelike(fileobj)
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:  # calamine raises several types for a broken or foreign file
        raise DomainError("bad_workbook", _("无法读取该工作簿，请上传 .xlsx 或 .xls 文件"))
    if not rows:
        raise DomainError("bad_workbook", _("工作簿是空的"))
    header = [_text(h) for h in rows[0]]
    known = set(candidates)
    cand_cols = {i: h for i, h in enumerate(header) if h in known}
    write_cols = [i for i, h in enumerate(header) if h.startswith("另选")]
    if not cand_cols:
        raise DomainError("bad_workbook", _("第1行没有候选人姓名列"))
    ballots = []
    for number, row in enumerate(rows[1:], start=2):
        cells = [_text(c) for c in row]
        if not any(cells):
            continue
        ballot: dict[str, list[str]] = {"yes": [], "no": [], "abstain": [], "write_in": []}
        for i, name in cand_cols.items():
            value = cells[i] if i < len(cells) else ""
            if not value:
                continue
            if value in YES:
                ballot["yes"].append(name)
            elif value in NO:
                ballot["no"].append(name)
            elif value in ABSTAIN:
                ballot["abstain"].append(name)
            else:
                raise DomainError("bad_mark", _("第{r}行“{c}”列：无法识别的标记“{v}”").format(r=number, c=name, v=value))
        for i in write_cols:
            if i < len(cells) and cells[i]:
                ballot["write_in"].append(cells[i])
        ballots.append(ballot)
    return ballots
