"""Pure rules of skills competitions (RULES.md §3, C1–C5, C9): Decimal arithmetic, no database.

Quantisation (one rule everywhere):
- a part score, a criterion mark and an aggregated judged mark are quantised to 0.01 (ROUND_HALF_UP);
- the weighted total is computed exactly, then quantised to `places` (default 2) with ROUND_HALF_UP;
  ranking uses that quantised total, so what is published is what ranks;
- `format_total` shows a total with trailing zeros removed down to one decimal: 80.00 → "80.0",
  80.25 → "80.25". So `0.3 × 73 + 0.7 × 83` is exactly Decimal("80.0") and travels as "80.0".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

__all__ = [
    "AGGREGATIONS",
    "DEFAULT_TIE_BREAK",
    "PRIZE_LEVELS",
    "Entry",
    "Placed",
    "aggregate_from_stats",
    "aggregate_marks",
    "allocate_prizes",
    "competition_ranks",
    "format_total",
    "measurement_mark",
    "part_passed",
    "place_entries",
    "prize_counts",
    "promotion_for",
    "q2",
    "weighted_total",
]

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
PRIZE_LEVELS = ("first", "second", "third")
DEFAULT_TIE_BREAK = ("time", "practical", "theory")
AGGREGATIONS = ("mean", "trimmed", "worldskills")


def q2(value: Decimal) -> Decimal:
    """Quantise a mark to hundredths, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- C1 weighted total


def weighted_total(scores: Mapping[str, Decimal], weights: Mapping[str, Decimal], *, places: int = 2) -> Decimal:
    """C1: Σ score × weight over the parts, missing parts count 0, quantised to `places`."""
    exact = sum((Decimal(scores.get(code) or 0) * Decimal(w) for code, w in weights.items()), Decimal(0))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_total(value: Decimal | None) -> str | None:
    """80.00 → "80.0", 80.50 → "80.5", 80.25 → "80.25" (at least one decimal, never exponent form)."""
    if value is None:
        return None
    text = f"{Decimal(value):f}"
    if "." not in text:
        return text + ".0"
    text = text.rstrip("0")
    return text + "0" if text.endswith(".") else text


# ---------------------------------------------------------------- C2 pass line


def part_passed(score: Decimal | None, pass_mark: Decimal) -> bool:
    """C2: a part is passed when its score reaches the pass line (60 passes; a missing score fails)."""
    return score is not None and Decimal(score) >= Decimal(pass_mark)


# ---------------------------------------------------------------- C3 ranking


@dataclass(frozen=True)
class Entry:
    """One contestant's figures for ranking."""

    key: Any
    total: Decimal
    parts: Mapping[str, Decimal] = field(default_factory=dict)
    time_seconds: int | None = None
    passed_all: bool = True


def _sort_key(entry: Entry, chain: Sequence[str]) -> tuple:
    """Smaller is better. Total first, then the chain; a missing time or part is the worst."""
    key: list = [-entry.total]
    for item in chain:
        if item == "time":
            key.append((1, 0) if entry.time_seconds is None else (0, entry.time_seconds))
        else:
            value = entry.parts.get(item)
            key.append((1, Decimal(0)) if value is None else (0, -Decimal(value)))
    return tuple(key)


def competition_ranks(entries: Sequence[Entry], chain: Sequence[str] = DEFAULT_TIE_BREAK) -> list[tuple[Entry, int]]:
    """C3: order by total desc then the chain; equal rank only when the whole chain is equal.

    Competition ranking ("1224"): after n contestants sharing rank r the next rank is r + n.
    Within equal rank the order is by `key` for stability.
    """
    keyed = sorted(((_sort_key(e, chain), e) for e in entries), key=lambda pair: (pair[0], str(pair[1].key)))
    result: list[tuple[Entry, int]] = []
    previous = None
    rank = 0
    for position, (k, entry) in enumerate(keyed, start=1):
        if k != previous:
            rank = position
            previous = k
        result.append((entry, rank))
    return result


# ---------------------------------------------------------------- C4 prizes


def prize_counts(scheme: Mapping[str, Any], entrants: int) -> dict[str, int]:
    """C4: the number of prizes per level.

    mode "count": the counts as given. mode "percent": ⌊entrants × pct / 100⌋ per level, but at least
    one per level whose percentage is positive when there are enough entrants (at least one entrant for
    each such level); the total never exceeds the entrants. Counts are not trimmed: with fewer entrants
    than prizes every entrant simply gets one (a tie group keeps room to move down a level).
    """
    mode = scheme.get("mode", "count")
    levels = [lv for lv in PRIZE_LEVELS if lv in scheme]
    counts: dict[str, int] = {}
    if mode == "percent":
        positive = [lv for lv in levels if Decimal(str(scheme[lv])) > 0]
        enough = entrants >= len(positive)
        for lv in levels:
            pct = Decimal(str(scheme[lv]))
            n = int((Decimal(entrants) * pct / HUNDRED).to_integral_value(rounding=ROUND_DOWN))
            if pct > 0 and n == 0 and enough:
                n = 1
            counts[lv] = n
        # The forced minimum never gives more prizes than entrants: trim from the lowest level up.
        _trim(counts, levels, entrants)
    else:
        for lv in levels:
            counts[lv] = max(0, int(scheme[lv]))
    return counts


def _trim(counts: dict[str, int], levels: list[str], entrants: int) -> None:
    excess = sum(counts.values()) - entrants
    for lv in reversed(levels):
        if excess <= 0:
            break
        cut = min(excess, counts[lv])
        counts[lv] -= cut
        excess -= cut


def allocate_prizes(
    ranked: Sequence[tuple[Entry, int]],
    scheme: Mapping[str, Any],
    *,
    require_pass: bool = False,
    entrants: int | None = None,
) -> dict[Any, str | None]:
    """C4: give prizes in rank order.

    Contestants sharing a rank (the whole tie-break chain equal) always get the same prize. A group
    gets a level only if it fits in that level's remaining places; otherwise the whole group moves to
    the next level (the higher level's remaining place stays empty — never silently both the higher),
    and so on; a group that fits no level gets no prize. With `require_pass`, a contestant who failed a
    part gets no prize and takes no place. Percentages are of `entrants` (default: everyone ranked).
    """
    counts = prize_counts(scheme, len(ranked) if entrants is None else entrants)
    remaining = {lv: counts.get(lv, 0) for lv in PRIZE_LEVELS}
    result: dict[Any, str | None] = {e.key: None for e, _ in ranked}
    groups: list[list[Entry]] = []
    last_rank = None
    for entry, rank in ranked:
        if require_pass and not entry.passed_all:
            continue
        if rank != last_rank:
            groups.append([])
            last_rank = rank
        groups[-1].append(entry)
    level_index = 0
    for group in groups:
        while level_index < len(PRIZE_LEVELS) and remaining[PRIZE_LEVELS[level_index]] == 0:
            level_index += 1
        if level_index >= len(PRIZE_LEVELS):
            break
        placed = False
        for i in range(level_index, len(PRIZE_LEVELS)):
            level = PRIZE_LEVELS[i]
            if len(group) <= remaining[level]:
                for entry in group:
                    result[entry.key] = level
                remaining[level] -= len(group)
                # A group that dropped to a lower level closes the levels above it.
                for j in range(level_index, i):
                    remaining[PRIZE_LEVELS[j]] = 0
                level_index = i
                placed = True
                break
        if not placed:
            break
    return result


# ---------------------------------------------------------------- C5 judged parts and measurement


def aggregate_from_stats(
    *, total: Decimal, high: Decimal, low: Decimal, count: int, method: str = "mean",
    max_mark: Decimal = Decimal(0),
) -> tuple[Decimal, bool]:
    """C5 from (sum, max, min, count) of the judges' marks → (awarded mark, flagged for re-scoring).

    mean: Σ / n. trimmed: with 5 or more judges drop one highest and one lowest, else the mean.
    worldskills: judgement marks 0–3, awarded max_mark × mean / 3; flagged when judges differ by more
    than one point.
    """
    if count <= 0:
        return Decimal(0), False
    total, high, low = Decimal(total), Decimal(high), Decimal(low)
    if method == "trimmed" and count >= 5:
        return q2((total - high - low) / (count - 2)), False
    if method == "worldskills":
        return q2(Decimal(max_mark) * total / count / 3), (high - low) > 1
    return q2(total / count), False


def aggregate_marks(marks: Sequence[Decimal], *, method: str = "mean", max_mark: Decimal = Decimal(0)) -> tuple[Decimal, bool]:
    """C5 over a list of marks (see `aggregate_from_stats`)."""
    if not marks:
        return Decimal(0), False
    values = [Decimal(m) for m in marks]
    return aggregate_from_stats(total=sum(values, Decimal(0)), high=max(values), low=min(values),
                                count=len(values), method=method, max_mark=max_mark)


def measurement_mark(
    *, max_mark: Decimal, deviation: Decimal, tolerance: Decimal, zero_at: Decimal | None = None
) -> Decimal:
    """C5 measurement: |deviation| ≤ tolerance → full marks; no `zero_at` → otherwise zero;
    with `zero_at` (> tolerance) the mark falls linearly to zero at |deviation| = zero_at (rounded down
    to hundredths, never more than earned)."""
    dev = abs(Decimal(deviation))
    tol = Decimal(tolerance)
    full = Decimal(max_mark)
    if dev <= tol:
        return q2(full)
    if zero_at is None or Decimal(zero_at) <= tol or dev >= Decimal(zero_at):
        return Decimal("0.00")
    share = (Decimal(zero_at) - dev) / (Decimal(zero_at) - tol)
    return (full * share).quantize(CENT, rounding=ROUND_DOWN)


# ---------------------------------------------------------------- C9 promotions and titles


def promotion_for(rank: int | None, rules: Sequence[Mapping[str, Any]], *, eligible: bool = True) -> dict[str, str]:
    """C9: the first rule whose place range [from, to] holds `rank` → {"title", "promotion"}."""
    if rank is None or not eligible:
        return {"title": "", "promotion": ""}
    for rule in rules:
        if int(rule.get("from", 1)) <= rank <= int(rule.get("to", rule.get("from", 1))):
            return {"title": str(rule.get("title", "") or ""), "promotion": str(rule.get("promotion", "") or "")}
    return {"title": "", "promotion": ""}


# ---------------------------------------------------------------- everything together


@dataclass(frozen=True)
class Placed:
    entry: Entry
    rank: int
    prize: str | None
    title: str
    promotion: str


def place_entries(
    entries: Sequence[Entry],
    *,
    chain: Sequence[str] = DEFAULT_TIE_BREAK,
    scheme: Mapping[str, Any] | None = None,
    require_pass: bool = False,
    promotions: Sequence[Mapping[str, Any]] = (),
) -> list[Placed]:
    """Rank (C3), give prizes (C4) with the prize titles of the scheme, then promotions (C9)."""
    ranked = competition_ranks(entries, chain)
    prizes = allocate_prizes(ranked, scheme or {}, require_pass=require_pass)
    titles = (scheme or {}).get("titles", {}) or {}
    out = []
    for entry, rank in ranked:
        prize = prizes.get(entry.key)
        promo = promotion_for(rank, promotions, eligible=entry.passed_all or not require_pass)
        title = titles.get(prize, "") if prize else ""
        out.append(Placed(entry=entry, rank=rank, prize=prize, title=title or promo["title"],
                          promotion=promo["promotion"]))
    return out
