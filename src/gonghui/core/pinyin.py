"""Pinyin of Chinese names for search: full syllables and initials (张三 → zhangsan, zs)."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

__all__ = ["name_pinyin"]


def name_pinyin(name: str) -> tuple[str, str]:
    """Return (full pinyin, initials), lower-case, letters and digits only."""
    syllables = [s for s in lazy_pinyin(name, style=Style.NORMAL, errors="default") if s.strip()]
    full = "".join(s for s in "".join(syllables).lower() if s.isalnum())
    initials = "".join(s[0] for s in syllables if s and s[0].isalnum()).lower()
    return full[:200], initials[:50]
