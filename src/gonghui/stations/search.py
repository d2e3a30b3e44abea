"""Nearest open station: an in-process grid index, kept fresh by replaying the StationChange log.

Why in-process (bench/nearest.py has the figures): a nearest query with an amenity filter and an
"open at t" filter must look at candidates until k of them match; "open at t" depends on a weekly
schedule, the 24-hour flag and dated exceptions, which no SQL index answers. A database ring search
needs one round trip per ring plus loading every candidate's hours; the in-process grid answers from
memory in well under a millisecond and costs one indexed query per search to stay fresh.

Layout: stations (status open or closed temporarily; closed ones are left out) are bucketed in
`rules.CELL_DEG` grid cells. A search visits the rings of cells around the query cell, nearest first,
and stops when it has k matches and the k-th is no farther than the closest point any unvisited
cell could hold (a rigorous bound, so the answer equals a full scan's). When the rings grow large
(a query far from every station, or a rare amenity combination) it switches to a best-first walk
over the occupied cells ordered by a lower bound of their distance.

Freshness: every change to a station or its exceptions appends a StationChange row. A search runs
(at most every FRESHNESS_SECONDS, 0.5 s by default, and at once after a write in this process)
`SELECT id, changed_at FROM stations_stationchange WHERE id >= <last applied>`: usually one row
(the last applied, confirming the log has not been rewound), else the new station ids are reloaded;
a rewound log (a restored database) or a very long backlog rebuilds the whole index.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import math
import os
import threading
import time
from dataclasses import dataclass

from django.db import connection

from . import rules
from .choices import StationStatus

__all__ = ["Hit", "StationIndex", "get_index", "log_changes", "nearest", "reset_index"]

R = rules.EARTH_RADIUS_M
RING_LIMIT = 12  # beyond this many rings, walk the coarse blocks best-first instead
BLOCK = 25  # a coarse block is BLOCK × BLOCK cells (0.5°)
FULL_REBUILD_BACKLOG = 20_000
# Another process's change is seen within this many seconds; this process's own writes at once.
FRESHNESS_SECONDS = float(os.environ.get("GONGHUI_STATIONS_FRESHNESS", "0.5"))
HALF_DIAGONAL_M = rules.CELL_DEG * math.pi / 180 * R * math.sqrt(2) / 2 + 1.0
BLOCK_HALF_DIAGONAL_M = BLOCK * rules.CELL_DEG * math.pi / 180 * R * math.sqrt(2) / 2 + 1.0


@dataclass(frozen=True)
class Hit:
    id: int
    distance_m: float
    open_now: bool
    lat: float
    lng: float
    bits: int


def log_changes(station_ids) -> None:
    """Record that these stations' searchable data changed (call inside the writing transaction)."""
    from .models import StationChange

    StationChange.objects.bulk_create([StationChange(station_id=i) for i in station_ids], batch_size=2000)
    _index.dirty = True  # this process checks the log on its next search, whatever the interval


def _haversine(lat1: float, lng1: float, cos1: float, lat2: float, lng2: float) -> float:
    p2 = lat2 * 0.017453292519943295
    dp = p2 - lat1 * 0.017453292519943295
    dl = (lng2 - lng1) * 0.017453292519943295
    s1 = math.sin(dp * 0.5)
    s2 = math.sin(dl * 0.5)
    a = s1 * s1 + cos1 * math.cos(p2) * s2 * s2
    return 2 * R * math.asin(math.sqrt(a) if a < 1 else 1.0)


class StationIndex:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.entries: dict[int, tuple] = {}  # id → (lat, lng, bits, is_open_status, schedule, cell)
        self.cells: dict[tuple[int, int], list[int]] = {}
        self.cell_bits: dict[tuple[int, int], int] = {}
        self.blocks: dict[tuple[int, int], set[tuple[int, int]]] = {}  # coarse block → its occupied cells
        self.version: tuple[int, str | None] = (0, None)
        self.loaded = False
        self.dirty = False
        self.checked_at = 0.0
        self._schedules: dict[tuple, rules.Schedule] = {}

    # -------------------------------------------------------------- loading
    def _schedule(self, always_open: bool, weekly: dict, exceptions: dict) -> rules.Schedule:
        if exceptions:
            return rules.Schedule(always_open=always_open,
                                  weekly={int(d): tuple((s, e) for s, e in v) for d, v in weekly.items()},
                                  exceptions=exceptions)
        key = (always_open, json.dumps(weekly, sort_keys=True))
        sched = self._schedules.get(key)
        if sched is None:
            sched = rules.Schedule(always_open=always_open,
                                   weekly={int(d): tuple((s, e) for s, e in v) for d, v in weekly.items()})
            self._schedules[key] = sched
        return sched

    def _load_rows(self, station_ids=None) -> list[tuple]:
        from .models import HoursException, Station

        qs = Station.objects.exclude(status=StationStatus.CLOSED)
        ex = HoursException.objects.all()
        if station_ids is not None:
            qs = qs.filter(id__in=station_ids)
            ex = ex.filter(station_id__in=station_ids)
        exceptions: dict[int, dict] = {}
        for sid, date, intervals in ex.values_list("station_id", "date", "intervals"):
            exceptions.setdefault(sid, {})[date] = tuple((int(s), int(e)) for s, e in intervals or [])
        rows = []
        for sid, lat, lng, bits, status, always, weekly in qs.values_list(
                "id", "lat", "lng", "amenity_bits", "status", "always_open", "weekly_hours").iterator(chunk_size=5000):
            rows.append((sid, float(lat), float(lng), int(bits), status == StationStatus.OPEN,
                         self._schedule(always, weekly or {}, exceptions.get(sid, {}))))
        return rows

    def _add(self, sid, lat, lng, bits, status_open, schedule) -> None:
        cell = rules.cell_of(lat, lng)
        self.entries[sid] = (lat, lng, bits, status_open, schedule, cell)
        self.cells.setdefault(cell, []).append(sid)
        self.cell_bits[cell] = self.cell_bits.get(cell, 0) | bits
        self.blocks.setdefault((cell[0] // BLOCK, cell[1] // BLOCK), set()).add(cell)

    def _remove(self, sid) -> None:
        entry = self.entries.pop(sid, None)
        if entry is None:
            return
        cell = entry[5]
        members = self.cells.get(cell, [])
        if sid in members:
            members.remove(sid)
        if members:
            bits = 0
            for other in members:
                bits |= self.entries[other][2]
            self.cell_bits[cell] = bits
        else:
            self.cells.pop(cell, None)
            self.cell_bits.pop(cell, None)
            block = (cell[0] // BLOCK, cell[1] // BLOCK)
            self.blocks.get(block, set()).discard(cell)
            if not self.blocks.get(block):
                self.blocks.pop(block, None)

    def rebuild(self) -> None:
        from .models import StationChange

        with self.lock:
            table = connection.ops.quote_name(StationChange._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT id, changed_at FROM {table} ORDER BY id DESC LIMIT 1")
                last = cursor.fetchone()
            last = (last[0], str(last[1])) if last else None
            self.entries, self.cells, self.cell_bits, self.blocks, self._schedules = {}, {}, {}, {}, {}
            for row in self._load_rows():
                self._add(*row)
            self.version = last or (0, None)
            self._extent()
            self.loaded = True

    def _extent(self) -> None:
        rows = [c[0] for c in self.cells] or [0]
        cols = [c[1] for c in self.cells] or [0]
        self.min_row, self.max_row, self.min_col, self.max_col = min(rows), max(rows), min(cols), max(cols)

    def refresh(self) -> None:
        """Bring the index up to date with the change log (one indexed query when nothing changed)."""
        from .models import StationChange

        if not self.loaded:
            self.checked_at, self.dirty = time.monotonic(), False
            self.rebuild()
            return
        now = time.monotonic()
        if not self.dirty and now - self.checked_at < FRESHNESS_SECONDS:
            return
        self.dirty = False
        self.checked_at = now
        last_id, last_at = self.version
        table = connection.ops.quote_name(StationChange._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, changed_at FROM {table} WHERE id >= %s ORDER BY id LIMIT %s",
                           [last_id, FULL_REBUILD_BACKLOG + 1])
            rows = [(i, str(at)) for i, at in cursor.fetchall()]
        if last_id:
            if not rows or rows[0] != (last_id, last_at):
                self.rebuild()  # the log was rewound (restored database, rolled-back tests)
                return
            rows = rows[1:]
        if not rows:
            return
        if len(rows) > FULL_REBUILD_BACKLOG:
            self.rebuild()
            return
        ids = {sid for sid in StationChange.objects.filter(id__in=[r[0] for r in rows]).values_list(
            "station_id", flat=True)}
        with self.lock:
            fresh = self._load_rows(ids)
            for sid in ids:
                self._remove(sid)
            for row in fresh:
                self._add(*row)
            self.version = rows[-1]
            self._extent()

    # -------------------------------------------------------------- search
    def search(self, lat: float, lng: float, *, k: int, mask: int = 0, at: dt.datetime,
               open_only: bool = True) -> list[Hit]:
        local = at.astimezone(rules.SHANGHAI) if at.tzinfo else at.replace(tzinfo=rules.SHANGHAI)
        memo: dict[int, bool] = {}
        entries, cells, cell_bits = self.entries, self.cells, self.cell_bits
        cos1 = math.cos(lat * 0.017453292519943295)
        heap: list[tuple[float, int, bool]] = []  # max-heap by -distance, size ≤ k

        def visit(cell) -> None:
            ids = cells.get(cell)
            if not ids or (mask and cell_bits[cell] & mask != mask):
                return
            for sid in ids:
                slat, slng, bits, status_open, schedule, _c = entries[sid]
                if bits & mask != mask:
                    continue
                key = id(schedule)
                is_open = memo.get(key)
                if is_open is None:
                    is_open = memo[key] = rules.is_open(schedule, local)
                is_open = is_open and status_open
                if open_only and not is_open:
                    continue
                d = _haversine(lat, lng, cos1, slat, slng)
                if len(heap) < k:
                    heapq.heappush(heap, (-d, -sid, is_open))
                elif d < -heap[0][0] or (d == -heap[0][0] and sid < -heap[0][1]):
                    heapq.heapreplace(heap, (-d, -sid, is_open))

        r0, c0 = rules.cell_of(lat, lng)
        step = math.radians(rules.CELL_DEG)
        r = 0
        while True:
            if r == 0:
                visit((r0, c0))
            else:
                for c in range(c0 - r, c0 + r + 1):
                    visit((r0 - r, c))
                    visit((r0 + r, c))
                for rr in range(r0 - r + 1, r0 + r):
                    visit((rr, c0 - r))
                    visit((rr, c0 + r))
            covered = (r0 - r <= self.min_row and r0 + r >= self.max_row
                       and c0 - r <= self.min_col and c0 + r >= self.max_col)
            if covered:
                break
            lat_bound = R * r * step
            phi = min(math.pi / 2, abs(math.radians(lat)) + (r + 1) * step)
            lng_bound = 2 * R * math.asin(min(1.0, math.cos(phi) * math.sin(r * step / 2)))
            if len(heap) == k and -heap[0][0] <= min(lat_bound, lng_bound):
                break
            if r >= RING_LIMIT:
                self._best_first(visit, heap, k, lat, lng, cos1, r0, c0, r)
                break
            r += 1
        found = sorted((-d, -nsid, is_open) for d, nsid, is_open in heap)
        return [Hit(sid, d, is_open, entries[sid][0], entries[sid][1], entries[sid][2]) for d, sid, is_open in found]

    def _best_first(self, visit, heap, k, lat, lng, cos1, r0, c0, r) -> None:
        """Visit the rest best-first: coarse blocks by a lower bound of their distance, then their cells."""
        size = rules.CELL_DEG * BLOCK
        pending = []
        for block in self.blocks:
            blat = (block[0] + 0.5) * size - 90.0
            blng = (block[1] + 0.5) * size - 180.0
            pending.append((max(0.0, _haversine(lat, lng, cos1, blat, blng) - BLOCK_HALF_DIAGONAL_M), block))
        pending.sort()
        for bound, block in pending:
            if len(heap) == k and -heap[0][0] <= bound:
                break
            for cell in self.blocks[block]:
                if max(abs(cell[0] - r0), abs(cell[1] - c0)) > r:  # rings 0..r are done
                    visit(cell)


_index = StationIndex()


def get_index() -> StationIndex:
    _index.refresh()
    return _index


def reset_index() -> None:
    """Forget the in-process index (tests, after a bulk load in the same process)."""
    global _index
    _index = StationIndex()


def nearest(lat: float, lng: float, *, k: int, mask: int = 0, at: dt.datetime, open_only: bool = True
            ) -> list[Hit]:
    """The k nearest stations to a WGS-84 point matching every amenity bit in `mask`, nearest first."""
    index = get_index()
    with index.lock:
        return index.search(lat, lng, k=k, mask=mask, at=at, open_only=open_only)

