"""Pure rules of service stations (RULES §6): coordinates, distance, opening hours, grid cells.

No database here. Everything is a plain function over plain values, tested exhaustively.

Coordinate systems (O4): stations are stored in WGS-84. Maps in mainland China use GCJ-02 (高德, 腾讯)
or BD-09 (百度). The WGS-84 → GCJ-02 transform is the well-known public algorithm (Krasovsky
ellipsoid constants, the published polynomial); GCJ-02 → WGS-84 has no closed form, so it is inverted
by fixed-point iteration until the forward transform of the answer is within 1e-9° of the input
(≈ 0.1 mm), far inside the 1 m the product needs. BD-09 is GCJ-02 with Baidu's second published
offset, inverted the same way.

"Inside China" is the usual rectangular test (lng 72.004–137.8347, lat 0.8293–55.8271). Its limits:
it is a bounding box, so it also covers parts of neighbouring countries (Mongolia, Korea, Japan's
west coast, much of South-East Asia's north), where it wrongly applies the offset, and it treats
Hong Kong, Macao and Taiwan like the mainland. Outside the box every conversion is the identity
(GCJ-02 is not applied abroad, and Baidu shows WGS-84 abroad as well).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

__all__ = [
    "CELL_DEG",
    "CRS",
    "SHANGHAI",
    "EARTH_RADIUS_M",
    "HoursError",
    "Schedule",
    "bd09_to_gcj02",
    "cell_of",
    "from_wgs84",
    "format_weekly",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "haversine_m",
    "in_china",
    "is_open",
    "parse_intervals",
    "parse_weekly",
    "to_wgs84",
    "wgs84_to_gcj02",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
CRS = ("wgs84", "gcj02", "bd09")

# ------------------------------------------------------------------ coordinate systems

_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


def in_china(lat: float, lng: float) -> bool:
    """The usual mainland bounding-box test (see the module docstring for its limits)."""
    return 72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """WGS-84 → GCJ-02 (lat, lng); identity outside China."""
    if not in_china(lat, lng):
        return lat, lng
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = math.sin(radlat)
    magic = 1 - _EE * magic * magic
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lat + dlat, lng + dlng


def _invert(forward, lat: float, lng: float) -> tuple[float, float]:
    """Solve forward(x) = (lat, lng) by fixed-point iteration (the offsets vary slowly)."""
    glat, glng = lat, lng
    for _ in range(30):
        flat, flng = forward(glat, glng)
        dlat, dlng = flat - lat, flng - lng
        if abs(dlat) < 1e-10 and abs(dlng) < 1e-10:
            break
        glat, glng = glat - dlat, glng - dlng
    return glat, glng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """GCJ-02 → WGS-84 by iteration; identity outside China."""
    if not in_china(lat, lng):
        return lat, lng
    return _invert(wgs84_to_gcj02, lat, lng)


def gcj02_to_bd09(lat: float, lng: float) -> tuple[float, float]:
    """GCJ-02 → BD-09 (Baidu's published offset); identity outside China."""
    if not in_china(lat, lng):
        return lat, lng
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def bd09_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """BD-09 → GCJ-02, the published approximate inverse refined by iteration; identity outside China."""
    if not in_china(lat, lng):
        return lat, lng
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    glat, glng = z * math.sin(theta), z * math.cos(theta)
    for _ in range(10):
        flat, flng = gcj02_to_bd09(glat, glng)
        dlat, dlng = flat - lat, flng - lng
        if abs(dlat) < 1e-10 and abs(dlng) < 1e-10:
            break
        glat, glng = glat - dlat, glng - dlng
    return glat, glng


def to_wgs84(lat: float, lng: float, crs: str) -> tuple[float, float]:
    """Any supported system → WGS-84."""
    if crs == "wgs84":
        return lat, lng
    if crs == "gcj02":
        return gcj02_to_wgs84(lat, lng)
    if crs == "bd09":
        return gcj02_to_wgs84(*bd09_to_gcj02(lat, lng))
    raise ValueError(crs)


def from_wgs84(lat: float, lng: float, crs: str) -> tuple[float, float]:
    """WGS-84 → any supported system."""
    if crs == "wgs84":
        return lat, lng
    if crs == "gcj02":
        return wgs84_to_gcj02(lat, lng)
    if crs == "bd09":
        return gcj02_to_bd09(*wgs84_to_gcj02(lat, lng))
    raise ValueError(crs)


# ------------------------------------------------------------------ distance and grid


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres on the mean-radius sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


CELL_DEG = 0.02  # grid cell edge in degrees: about 2.2 km north-south, 1.7 km east-west at Beijing
_COLS = 18_001  # columns over 360° at CELL_DEG (+1)


def cell_of(lat: float, lng: float, size: float = CELL_DEG) -> tuple[int, int]:
    """(row, col) of the grid cell holding a WGS-84 point."""
    return int(math.floor((lat + 90.0) / size)), int(math.floor((lng + 180.0) / size))


def cell_id(lat: float, lng: float) -> int:
    """One integer per grid cell (stored and indexed on Station)."""
    row, col = cell_of(lat, lng)
    return row * _COLS + col


# ------------------------------------------------------------------ opening hours (O3)


class HoursError(ValueError):
    """A schedule text that cannot be read; `args[0]` is a Chinese message."""


MINUTES_PER_DAY = 1440
Interval = tuple[int, int]  # minutes from local midnight: start < end <= start + 1440; end > 1440 crosses midnight

_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})$")


def _minutes(text: str, *, allow_24: bool) -> int:
    match = _TIME.match(text.strip())
    if not match:
        raise HoursError(f"时间“{text.strip()}”格式不正确，应为 时:分，例如 08:30")
    h, m = int(match.group(1)), int(match.group(2))
    if m >= 60 or h > 24 or (h == 24 and (m or not allow_24)):
        raise HoursError(f"时间“{text.strip()}”不存在")
    return h * 60 + m


def parse_intervals(text: str) -> list[Interval]:
    """"08:00-12:00,13:00-20:00" → [(480, 720), (780, 1200)]; "22:00-02:00" crosses midnight.

    Intervals are sorted and must not overlap; an interval ending at or before its start continues
    into the next day ("00:00-24:00" and "08:00-08:00" are the whole day).
    """
    result: list[Interval] = []
    for part in re.split(r"[,，、]", text):
        part = part.strip()
        if not part:
            continue
        bits = re.split(r"\s*[-–—~～至]\s*", part)
        if len(bits) != 2:
            raise HoursError(f"时段“{part}”格式不正确，应为 开始-结束，例如 08:00-20:00")
        start = _minutes(bits[0], allow_24=False)
        end = _minutes(bits[1], allow_24=True)
        if end <= start:
            end += MINUTES_PER_DAY
        result.append((start, end))
    result.sort()
    for (_s1, e1), (s2, _e2) in zip(result, result[1:], strict=False):
        if s2 < e1:
            raise HoursError(f"时段“{_fmt_interval((s2, _e2))}”与前一时段重叠")
    if result and result[-1][1] - MINUTES_PER_DAY > result[0][0]:
        raise HoursError("跨午夜的时段与次日首个时段重叠")
    return result


def _fmt_time(minutes: int) -> str:
    if minutes == MINUTES_PER_DAY:
        return "24:00"
    minutes %= MINUTES_PER_DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _fmt_interval(interval: Interval) -> str:
    return f"{_fmt_time(interval[0])}-{_fmt_time(interval[1])}"


def format_intervals(intervals: Iterable[Interval]) -> str:
    return ",".join(_fmt_interval(i) for i in intervals)


_DAY_NAMES = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6,
}
_DAY_LABELS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
_DAILY = {"每天", "每日", "daily", "周一至周日", "mon-sun"}


def _day(token: str) -> int:
    token = token.strip().lower()
    for prefix in ("周", "星期", "礼拜"):
        if token.startswith(prefix):
            token = token[len(prefix):]
    if token[:3] in _DAY_NAMES:
        return _DAY_NAMES[token[:3]]
    if token in _DAY_NAMES:
        return _DAY_NAMES[token]
    raise HoursError(f"无法识别的星期“{token}”")


def _days(spec: str) -> list[int]:
    spec = spec.strip().lower()
    if spec in _DAILY:
        return list(range(7))
    days: list[int] = []
    for part in re.split(r"[,，、/]", spec):
        if not part.strip():
            continue
        ends = re.split(r"\s*(?:-|–|至|到|~)\s*", part.strip())
        if len(ends) == 1:
            days.append(_day(ends[0]))
        elif len(ends) == 2:
            a, b = _day(ends[0]), _day(ends[1])
            d = a
            while True:
                days.append(d)
                if d == b:
                    break
                d = (d + 1) % 7
        else:
            raise HoursError(f"无法识别的星期范围“{part}”")
    return days


def parse_weekly(text: str) -> tuple[bool, dict[int, list[Interval]]]:
    """Read a weekly schedule as staff type it or import it.

    "24小时" / "24h" → (True, {}); otherwise segments separated by ";" or a new line, each
    "DAYS TIMES": "周一至周五 08:00-20:00; 周六、周日 09:00-12:00,14:00-18:00", "mon-fri 7:00-19:00",
    "每天 06:00-22:00". A day not named is closed; a day named twice is an error.
    """
    text = (text or "").strip()
    if text.lower() in {"24h", "24小时", "24 小时", "全天", "全天候", "00:00-24:00"}:
        return True, {}
    weekly: dict[int, list[Interval]] = {}
    for segment in re.split(r"[;；\n]", text):
        segment = segment.strip()
        if not segment:
            continue
        match = re.match(r"^(.*?)\s*(\d{1,2}[:：]\d{2}.*)$", segment)
        if not match or not match.group(1).strip():
            raise HoursError(f"“{segment}”缺少星期，例如 周一至周五 08:00-20:00")
        intervals = parse_intervals(match.group(2))
        for d in _days(match.group(1)):
            if d in weekly:
                raise HoursError(f"{_DAY_LABELS[d]}的营业时间重复填写")
            weekly[d] = intervals
    if not weekly:
        raise HoursError("请填写营业时间，例如 周一至周日 08:00-20:00，或 24小时")
    if all(weekly.get(d) == [(0, MINUTES_PER_DAY)] for d in range(7)):
        return True, {}
    return False, weekly


def format_weekly(always_open: bool, weekly: Mapping[int, list[Interval]]) -> str:
    """The canonical text of a schedule (parse_weekly(format_weekly(x)) == x)."""
    if always_open:
        return "24小时"
    groups: list[tuple[list[int], list[Interval]]] = []
    for d in range(7):
        intervals = list(weekly.get(d) or [])
        if not intervals:
            continue
        if groups and groups[-1][1] == intervals and groups[-1][0][-1] == d - 1:
            groups[-1][0].append(d)
        else:
            groups.append(([d], intervals))
    parts = []
    for days, intervals in groups:
        label = _DAY_LABELS[days[0]] if len(days) == 1 else f"{_DAY_LABELS[days[0]]}至{_DAY_LABELS[days[-1]]}"
        parts.append(f"{label} {format_intervals(intervals)}")
    return "; ".join(parts) or "休息"


def weekly_to_json(weekly: Mapping[int, list[Interval]]) -> dict[str, list[list[int]]]:
    return {str(d): [[s, e] for s, e in weekly[d]] for d in sorted(weekly) if weekly[d]}


def weekly_from_json(data: Mapping[str, list[list[int]]] | None) -> dict[int, list[Interval]]:
    return {int(d): [(int(s), int(e)) for s, e in v] for d, v in (data or {}).items()}


@dataclass(frozen=True)
class Schedule:
    """A station's hours: 24-hour flag, weekly intervals per weekday (0 = Monday) and dated exceptions.

    An exception replaces that date's own hours (an empty list = closed all day), including the part
    of its last interval that runs past midnight into the next day. A 24-hour station is open at every
    moment except the dates an exception names, when the exception's hours apply.
    """

    always_open: bool = False
    weekly: Mapping[int, tuple[Interval, ...]] = field(default_factory=dict)
    exceptions: Mapping[dt.date, tuple[Interval, ...]] = field(default_factory=dict)

    def intervals_on(self, day: dt.date) -> tuple[Interval, ...] | None:
        """The day's intervals; None means "open around the clock" (24-hour, no exception)."""
        if day in self.exceptions:
            return tuple(self.exceptions[day])
        if self.always_open:
            return None
        return tuple(self.weekly.get(day.weekday(), ()))


def is_open(schedule: Schedule, at: dt.datetime) -> bool:
    """Is the station open at `at` (an aware datetime; naive means Asia/Shanghai)?"""
    local = at.replace(tzinfo=SHANGHAI) if at.tzinfo is None else at.astimezone(SHANGHAI)
    day = local.date()
    minute = local.hour * 60 + local.minute
    today = schedule.intervals_on(day)
    if today is None:
        return True
    for start, end in today:
        if start <= minute < end:
            return True
    yesterday = schedule.intervals_on(day - dt.timedelta(days=1))
    if yesterday is None:
        # yesterday was around the clock: it ran to midnight, nothing spills over
        return False
    for _start, end in yesterday:
        if end > MINUTES_PER_DAY and minute < end - MINUTES_PER_DAY:
            return True
    return False
