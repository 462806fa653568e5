"""GB 11643 resident ID numbers and GB 32100 unified social credit codes."""

from __future__ import annotations

import pytest

from casework.domain.errors import InvalidRequest
from casework.domain.ids import (
    check_credit_code,
    check_resident_id,
    credit_code_check_char,
    mask_resident_id,
    remask,
    resident_id_check_char,
)


class TestResidentId:
    # The standard's own worked example, and one ending in X.
    @pytest.mark.parametrize("number", ["11010519491231002X", "330302198001010019"])
    def test_published_examples_pass(self, number: str) -> None:
        assert check_resident_id(number, "id_number") == number

    def test_the_check_character_is_computed_per_the_standard(self) -> None:
        assert resident_id_check_char("11010519491231002") == "X"
        assert resident_id_check_char("33030219800101001") == "9"  # sum 146, 146 mod 11 = 3

    @pytest.mark.parametrize(
        "number",
        [
            "110105194912310021",  # wrong check character
            "11010519491231002",  # too short
            "1101051949123100211",  # too long
            "11010519491331002X",  # month 13
            "1101051949123A002X",  # a letter inside
        ],
    )
    def test_bad_numbers_are_refused_naming_the_field(self, number: str) -> None:
        with pytest.raises(InvalidRequest) as caught:
            check_resident_id(number, "master.id_number")
        assert caught.value.code == "invalid_id_number"
        assert caught.value.errors[0].field == "master.id_number"

    def test_a_lower_case_x_is_read_as_upper_case(self) -> None:
        assert check_resident_id("11010519491231002x", "id") == "11010519491231002X"

    def test_the_masked_form_keeps_the_province_and_city_only(self) -> None:
        assert mask_resident_id("330302198001010018") == "3303**************"

    def test_a_masked_form_of_the_earlier_release_is_masked_again(self) -> None:
        assert remask("3303**********0018") == "3303**************"
        assert remask("3303**************") == "3303**************"


class TestCreditCode:
    @pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L"])
    def test_published_codes_pass(self, code: str) -> None:
        assert check_credit_code(code, "host.credit_code") == code

    def test_the_check_character_is_computed_per_the_standard(self) -> None:
        assert credit_code_check_char("91350100M000100Y4") == "3"

    @pytest.mark.parametrize(
        "code",
        ["91350100M000100Y44", "91350100M000100Y4", "91350100I000100Y43", "9135010OM000100Y43"],
    )
    def test_bad_codes_are_refused(self, code: str) -> None:
        with pytest.raises(InvalidRequest) as caught:
            check_credit_code(code, "host.credit_code")
        assert caught.value.code == "invalid_credit_code"
