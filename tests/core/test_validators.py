import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.validators import (
    id_check_character,
    id_number_info,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_phone,
    normalize_text,
    normalize_uscc,
)


def _code(value):
    with pytest.raises(ValidationError) as exc:
        normalize_id_number(value)
    return exc.value.code, exc.value.messages[0]


def test_known_valid_id_numbers():
    assert normalize_id_number("11010519491231002X") == "11010519491231002X"
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"  # lower-case x normalised
    assert normalize_id_number(" 110105 19491231 002X ") == "11010519491231002X"


def test_full_width_digits_are_normalised():
    assert normalize_id_number("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"


def test_wrong_check_character_says_which():
    code, message = _code("110105194912310021")
    assert code == "id_checksum"
    assert "校验位" in message and "X" in message


def test_impossible_birth_date():
    first17 = "11010519900230002"
    code, message = _code(first17 + id_check_character(first17))
    assert code == "id_birth_date"
    assert "19900230" in message


def test_future_birth_date_refused():
    first17 = "11010521990101002"
    assert _code(first17 + id_check_character(first17))[0] == "id_birth_date"


@pytest.mark.parametrize("value,n", [("1101051949123100", 16), ("1101051949123100211", 19), ("110105491231002", 15)])
def test_wrong_length(value, n):
    code, message = _code(value)
    assert code == "id_length"
    assert str(n) in message


def test_letters_inside_refused():
    assert _code("1101051949123100AX")[0] == "id_format"


def test_full_width_that_does_not_normalise_to_valid_is_refused():
    # full-width digits with a wrong check character: normalised, then refused for the checksum
    assert _code("１１０１０５１９４９１２３１００２１")[0] == "id_checksum"
    # a full-width character that is not a digit at all
    assert _code("１１０１０５１９４９１２３１００２〇")[0] == "id_format"


def test_empty_refused():
    assert _code("")[0] == "id_required"


def test_derived_gender_and_birth_date():
    info = id_number_info("11010519491231002X")
    assert info.gender == "female"  # sequence 002 is even
    assert info.birth_date.isoformat() == "1949-12-31"
    first17 = "11010519800101001"
    assert id_number_info(first17 + id_check_character(first17)).gender == "male"


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_character_is_what_the_rule_says(first17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    assert id_check_character(first17) == "10X98765432"[total % 11]


@pytest.mark.parametrize("raw,expected", [
    ("13912345678", "13912345678"), ("+8613912345678", "13912345678"), ("008613912345678", "13912345678"),
    ("139-1234-5678", "13912345678"), ("１３９１２３４５６７８", "13912345678"),
])
def test_valid_phones(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12912345678", "1391234567", "139123456789", "abc", "+8512912345678"])
def test_invalid_phones(raw):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(raw)
    assert exc.value.code == "phone_format"


def test_uscc():
    assert normalize_uscc("91110000600037341L") == "91110000600037341L"
    with pytest.raises(ValidationError) as exc:
        normalize_uscc("91110000600037341M")
    assert exc.value.code == "uscc_checksum"
    with pytest.raises(ValidationError) as exc:
        normalize_uscc("9111000060003734IL")
    assert exc.value.code == "uscc_format"
    with pytest.raises(ValidationError) as exc:
        normalize_uscc("911100006")
    assert exc.value.code == "uscc_length"


def test_masks():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("13912345678") == "139****5678"


def test_normalize_text():
    assert normalize_text("  ＡＢＣ　１２３  ") == "ABC 123"
    assert normalize_text(None) == ""


def test_normalize_text_keeps_chinese_punctuation():
    assert normalize_text("京恒（北京）保安服务有限公司工会") == "京恒（北京）保安服务有限公司工会"
    assert normalize_text("“好房子”，联盟：章程（试行）") == "“好房子”，联盟：章程（试行）"
    assert normalize_text("ＳＹ－ＧＡＳ／０１　＋８６") == "SY-GAS/01 +86"
