"""Check characters of the two national identifiers the measures rely on."""

from __future__ import annotations

import datetime as dt

from casework.domain.errors import InvalidRequest

# GB 11643-1999: weights 2^(17-i) mod 11, check character indexed by the sum mod 11.
_RESIDENT_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_CHECK = "10X98765432"

# GB 32100-2015: 31 characters (no I, O, Z, S, V), weights 3^i mod 31.
_CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first seventeen digits."""
    total = sum(int(d) * w for d, w in zip(first17, _RESIDENT_WEIGHTS, strict=True))
    return _RESIDENT_CHECK[total % 11]


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character for the first seventeen characters."""
    total = sum(_CREDIT_CHARSET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARSET[(31 - total % 31) % 31]


def normalise_resident_id(raw: str) -> str:
    return raw.strip().upper()


def check_resident_id(raw: str, field: str) -> str:
    """Return the normalised resident ID number, or refuse with ``invalid_id_number``."""
    number = normalise_resident_id(raw)
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidRequest.field(
            "invalid_id_number", field, "a resident ID number has 17 digits and a check character"
        )
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidRequest.field(
            "invalid_id_number", field, "the birth date inside the ID number does not exist"
        ) from None
    if resident_id_check_char(number[:17]) != number[17]:
        raise InvalidRequest.field(
            "invalid_id_number", field, "the check character does not match (GB 11643)"
        )
    return number


def birth_date(number: str) -> dt.date:
    """The birth date inside a checked resident ID number (digits 7 to 14, YYYYMMDD)."""
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def check_credit_code(raw: str, field: str) -> str:
    """Return the normalised unified social credit code, or refuse with ``invalid_credit_code``."""
    code = raw.strip().upper()
    if len(code) != 18 or any(c not in _CREDIT_CHARSET for c in code):
        raise InvalidRequest.field(
            "invalid_credit_code",
            field,
            "a unified social credit code has 18 characters from 0-9 and A-Y without I, O, Z, S, V",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise InvalidRequest.field(
            "invalid_credit_code", field, "the check character does not match (GB 32100)"
        )
    return code


def mask_resident_id(number: str) -> str:
    """The form shown to those who may not see the number: its province and city only
    (3303**************). The last four (three serial digits and the check character) told the
    number apart among the 1,000 that share an area and a birth date: with the birth date
    beside them they named one person."""
    return f"{number[:4]}{'*' * (len(number) - 4)}"


def remask(masked: str) -> str:
    """A masked form of an earlier release (3303**********1234) as masked today."""
    return mask_resident_id(masked) if not masked.endswith("*") else masked
