"""C1–C5, C9 as pure functions: boundaries and hypothesis invariants."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.contests import rules
from gonghui.contests.rules import Entry

W = {"theory": D("0.3"), "practical": D("0.7")}


# ---------------------------------------------------------------- C1


def test_weighted_total_is_exact():
    total = rules.weighted_total({"theory": D(73), "practical": D(83)}, W)
    assert total == D("80.0")
    assert rules.format_total(total) == "80.0"


def test_weighted_total_quantises_half_up_to_two_places():
    # 0.3 × 73.5 + 0.7 × 83.25 = 22.05 + 58.275 = 80.325 → 80.33
    assert rules.weighted_total({"theory": D("73.5"), "practical": D("83.25")}, W) == D("80.33")
    assert rules.weighted_total({"theory": D("73.5"), "practical": D("83.25")}, W, places=1) == D("80.3")


def test_missing_part_counts_zero_and_three_parts():
    assert rules.weighted_total({"practical": D(100)}, W) == D("70.00")
    w3 = {"theory": D("0.2"), "practical": D("0.6"), "defence": D("0.2")}
    assert rules.weighted_total({"theory": D(90), "practical": D(80), "defence": D(70)}, w3) == D("80.00")


def test_format_total():
    assert rules.format_total(D("80.00")) == "80.0"
    assert rules.format_total(D("80.50")) == "80.5"
    assert rules.format_total(D("80.25")) == "80.25"
    assert rules.format_total(D("100")) == "100.0"
    assert rules.format_total(D("0E-2")) == "0.0"
    assert rules.format_total(None) is None


# ---------------------------------------------------------------- C2


def test_pass_line_boundaries():
    assert rules.part_passed(D(60), D(60)) is True
    assert rules.part_passed(D("59.99"), D(60)) is False
    assert rules.part_passed(None, D(60)) is False


# ---------------------------------------------------------------- C3


def e(key, total, *, t=None, practical=None, theory=None, passed=True):
    parts = {}
    if practical is not None:
        parts["practical"] = D(practical)
    if theory is not None:
        parts["theory"] = D(theory)
    return Entry(key=key, total=D(total), parts=parts, time_seconds=t, passed_all=passed)


def ranks(entries, chain=rules.DEFAULT_TIE_BREAK):
    return [(x.key, r) for x, r in rules.competition_ranks(entries, chain)]


def test_total_desc_then_time_then_practical_then_theory():
    entries = [e("a", 90, t=100), e("b", 90, t=90), e("c", 95), e("d", 90, t=100, practical=80),
               e("e", 90, t=100, practical=80, theory=70)]
    assert ranks(entries) == [("c", 1), ("b", 2), ("e", 3), ("d", 4), ("a", 5)]


def test_equal_chain_gives_competition_ranking():
    entries = [e("a", 90, t=10), e("b", 85, t=10), e("c", 85, t=10), e("d", 80)]
    assert ranks(entries) == [("a", 1), ("b", 2), ("c", 2), ("d", 4)]


def test_configurable_chain():
    entries = [e("a", 90, t=50, practical=70), e("b", 90, t=60, practical=80)]
    assert ranks(entries, ["time"]) == [("a", 1), ("b", 2)]
    assert ranks(entries, ["practical"]) == [("b", 1), ("a", 2)]
    assert ranks(entries, []) == [("a", 1), ("b", 1)]


def test_missing_time_ranks_after_known_time():
    assert ranks([e("a", 90), e("b", 90, t=999)], ["time"]) == [("b", 1), ("a", 2)]


# ---------------------------------------------------------------- C4


def test_prize_counts_count_mode():
    assert rules.prize_counts({"mode": "count", "first": 2, "second": 3, "third": 5}, 40) == \
        {"first": 2, "second": 3, "third": 5}
    assert rules.prize_counts({"mode": "count", "first": 2, "second": 3, "third": 5}, 6) == \
        {"first": 2, "second": 3, "third": 5}
    assert rules.prize_counts({"mode": "percent", "first": 1, "second": 1, "third": 98}, 3) == \
        {"first": 1, "second": 1, "third": 1}


def test_prize_counts_percent_rounds_down_with_at_least_one():
    scheme = {"mode": "percent", "first": 10, "second": 20, "third": 30}
    assert rules.prize_counts(scheme, 40) == {"first": 4, "second": 8, "third": 12}
    assert rules.prize_counts(scheme, 19) == {"first": 1, "second": 3, "third": 5}
    assert rules.prize_counts(scheme, 9) == {"first": 1, "second": 1, "third": 2}
    assert rules.prize_counts(scheme, 3) == {"first": 1, "second": 1, "third": 1}
    # Fewer entrants than levels: no forced minimum, floors only.
    assert rules.prize_counts(scheme, 2) == {"first": 0, "second": 0, "third": 0}
    assert rules.prize_counts(scheme, 0) == {"first": 0, "second": 0, "third": 0}


def alloc(entries, scheme, chain=rules.DEFAULT_TIE_BREAK, require_pass=False):
    return rules.allocate_prizes(rules.competition_ranks(entries, chain), scheme, require_pass=require_pass)


def test_seed_scheme_2_3_5():
    entries = [e(i, 100 - i) for i in range(40)]
    prizes = alloc(entries, {"mode": "count", "first": 2, "second": 3, "third": 5})
    assert [k for k, v in prizes.items() if v == "first"] == [0, 1]
    assert [k for k, v in prizes.items() if v == "second"] == [2, 3, 4]
    assert [k for k, v in prizes.items() if v == "third"] == [5, 6, 7, 8, 9]
    assert prizes[10] is None


def test_tie_at_boundary_resolved_by_chain():
    entries = [e("a", 95), e("b", 90, t=100), e("c", 90, t=120)]
    prizes = alloc(entries, {"mode": "count", "first": 2, "second": 1})
    assert prizes == {"a": "first", "b": "first", "c": "second"}


def test_full_tie_across_boundary_both_get_the_lower_prize():
    entries = [e("a", 95), e("b", 90, t=100), e("c", 90, t=100), e("d", 80), e("e", 70), e("f", 60)]
    prizes = alloc(entries, {"mode": "count", "first": 2, "second": 2, "third": 1})
    # b and c share rank 2; only one first prize is left → both get the second prize, never both first;
    # the unused first prize stays empty, and d (rank 4) cannot get a first prize after them.
    assert prizes == {"a": "first", "b": "second", "c": "second", "d": "third", "e": None, "f": None}


def test_full_tie_fits_when_count_allows():
    entries = [e("a", 95), e("b", 90), e("c", 90)]
    assert alloc(entries, {"mode": "count", "first": 3}, chain=[]) == {"a": "first", "b": "first", "c": "first"}


def test_tie_group_larger_than_every_level_gets_nothing():
    entries = [e("a", 95), e("b", 90), e("c", 90), e("d", 90)]
    assert alloc(entries, {"mode": "count", "first": 1, "second": 2}, chain=[]) == \
        {"a": "first", "b": None, "c": None, "d": None}


def test_require_pass_skips_failed_contestants():
    entries = [e("a", 95, passed=False), e("b", 90), e("c", 85)]
    assert alloc(entries, {"mode": "count", "first": 1, "second": 1}, require_pass=True) == \
        {"a": None, "b": "first", "c": "second"}
    assert alloc(entries, {"mode": "count", "first": 1, "second": 1}) == \
        {"a": "first", "b": "second", "c": None}


# ---------------------------------------------------------------- C5


def test_mean_and_trimmed():
    assert rules.aggregate_marks([D(8), D(9)], method="mean") == (D("8.50"), False)
    # Four judges: trimmed falls back to the mean.
    assert rules.aggregate_marks([D(1), D(2), D(3), D(10)], method="trimmed") == (D("4.00"), False)
    # Five judges: drop one highest and one lowest.
    assert rules.aggregate_marks([D(1), D(7), D(8), D(9), D(10)], method="trimmed") == (D("8.00"), False)
    assert rules.aggregate_marks([D(5), D(5), D(5), D(5), D(5)], method="trimmed") == (D("5.00"), False)
    assert rules.aggregate_marks([D(1), D(2)], method="mean") == (D("1.50"), False)
    assert rules.aggregate_marks([D(1), D(1), D(2)], method="mean") == (D("1.33"), False)
    assert rules.aggregate_marks([], method="mean") == (D(0), False)


def test_worldskills_judgement():
    assert rules.aggregate_marks([D(2), D(3), D(3)], method="worldskills", max_mark=D(6)) == (D("5.33"), False)
    assert rules.aggregate_marks([D(3), D(3), D(3)], method="worldskills", max_mark=D(6)) == (D("6.00"), False)
    # Exactly one point apart is fine, more than one is flagged.
    assert rules.aggregate_marks([D(1), D(2), D(2)], method="worldskills", max_mark=D(3))[1] is False
    assert rules.aggregate_marks([D(1), D(3), D(2)], method="worldskills", max_mark=D(3)) == (D("2.00"), True)


def test_measurement_full_zero_and_partial():
    kw = {"max_mark": D(5), "tolerance": D("0.5")}
    assert rules.measurement_mark(deviation=D("0.5"), **kw) == D("5.00")
    assert rules.measurement_mark(deviation=D("-0.5"), **kw) == D("5.00")
    assert rules.measurement_mark(deviation=D("0.51"), **kw) == D("0.00")
    assert rules.measurement_mark(deviation=D("1.0"), zero_at=D("1.5"), **kw) == D("2.50")
    assert rules.measurement_mark(deviation=D("1.5"), zero_at=D("1.5"), **kw) == D("0.00")
    assert rules.measurement_mark(deviation=D("0.6"), zero_at=D("1.5"), **kw) == D("4.50")


# ---------------------------------------------------------------- C9


def test_promotions():
    promos = [{"from": 1, "to": 5, "title": "全国技术能手", "promotion": "技师"},
              {"from": 6, "to": 20, "title": "", "promotion": "高级工"}]
    assert rules.promotion_for(1, promos) == {"title": "全国技术能手", "promotion": "技师"}
    assert rules.promotion_for(5, promos)["promotion"] == "技师"
    assert rules.promotion_for(6, promos) == {"title": "", "promotion": "高级工"}
    assert rules.promotion_for(20, promos)["promotion"] == "高级工"
    assert rules.promotion_for(21, promos) == {"title": "", "promotion": ""}
    assert rules.promotion_for(1, promos, eligible=False) == {"title": "", "promotion": ""}


def test_place_entries_titles_from_prize():
    scheme = {"mode": "count", "first": 2, "second": 3, "third": 5, "titles": {"first": "顺义工匠"}}
    placed = rules.place_entries([e(i, 100 - i) for i in range(12)], scheme=scheme)
    assert [p.title for p in placed[:3]] == ["顺义工匠", "顺义工匠", ""]
    assert placed[0].prize == "first" and placed[11].prize is None


# ---------------------------------------------------------------- invariants

entry_lists = st.lists(
    st.builds(lambda total, t, p: (total, t, p),
              st.integers(min_value=50, max_value=60), st.one_of(st.none(), st.integers(1, 3)),
              st.integers(0, 2)),
    max_size=30,
)
schemes = st.one_of(
    st.fixed_dictionaries({"mode": st.just("count"), "first": st.integers(0, 4), "second": st.integers(0, 5),
                           "third": st.integers(0, 6)}),
    st.fixed_dictionaries({"mode": st.just("percent"), "first": st.integers(0, 20), "second": st.integers(0, 30),
                           "third": st.integers(0, 40)}),
)


@settings(max_examples=200, deadline=None)
@given(entry_lists, schemes)
def test_invariants(raw, scheme):
    entries = [Entry(key=i, total=D(total), parts={"practical": D(p)}, time_seconds=t)
               for i, (total, t, p) in enumerate(raw)]
    chain = ["time", "practical"]
    ranked = rules.competition_ranks(entries, chain)
    # A competition ranking: the first is 1, each rank is its position or equals the previous rank.
    for pos, (_entry, rank) in enumerate(ranked, start=1):
        assert rank == pos or rank == ranked[pos - 2][1]
    # Equal chain ⇔ equal rank.
    by_key = {x.key: r for x, r in ranked}
    for a in entries:
        for b in entries:
            same = rules._sort_key(a, chain) == rules._sort_key(b, chain)
            assert same == (by_key[a.key] == by_key[b.key])
    # Permutation-consistent: the same ranks whatever the input order.
    again = {x.key: r for x, r in rules.competition_ranks(list(reversed(entries)), chain)}
    assert again == by_key
    prizes = rules.allocate_prizes(ranked, scheme)
    counts = rules.prize_counts(scheme, len(entries))
    for level in rules.PRIZE_LEVELS:
        assert sum(1 for v in prizes.values() if v == level) <= counts.get(level, 0)
    # Same rank → same prize; a better rank never gets a lower prize.
    order = {None: 3, "first": 0, "second": 1, "third": 2}
    for a in entries:
        for b in entries:
            if by_key[a.key] == by_key[b.key]:
                assert prizes[a.key] == prizes[b.key]
            if by_key[a.key] < by_key[b.key]:
                assert order[prizes[a.key]] <= order[prizes[b.key]]
