"""What casework shows of a person never narrows their ID number to fewer than 1,000 candidates.

An attacker who reads everything casework shows or keeps in clear about a person (the masked
number, the birth date, the names, the county of the host) and knows every area code of
Zhejiang counts the resident ID numbers consistent with it all. Before, the masked form kept
the last four characters (three serial digits and the check character): with the birth date
beside it, about one candidate was left.
"""

from __future__ import annotations

import datetime as dt
import uuid

from casework.domain.ids import mask_resident_id, resident_id_check_char
from casework.domain.state import fold
from tests import builders as b
from tests.unit.scenario import awarded, given
from tests.unit.test_apprentices_and_inspections import enrol

# The area codes of Wenzhou's districts and counties (and the city's own): the ones whose
# numbers start with 3303, the only start a masked number shows.
WENZHOU_AREAS = (
    "330300", "330302", "330303", "330304", "330305", "330324", "330326", "330327",
    "330328", "330329", "330381", "330382", "330383",
)  # fmt: skip


def candidates(masked: str, born_on: dt.date, areas: tuple[str, ...]) -> int:
    """Every valid ID number that masks to ``masked`` for a person born on ``born_on``."""
    found = 0
    for area in areas:
        for serial in range(1000):
            first17 = f"{area}{born_on:%Y%m%d}{serial:03d}"
            number = first17 + resident_id_check_char(first17)
            found += mask_resident_id(number) == masked
    return found


def test_an_apprentice_s_clear_fields_leave_a_thousand_candidates_or_more() -> None:
    sid = uuid.uuid4()
    past = awarded(sid)
    studio = fold([*past, *given(*past).when(enrol(sid, 1, born="20000229")).events()], sid)
    assert studio is not None
    (apprentice,) = studio.apprentices
    # Even knowing the very area of the number (the host's county), a thousand remain.
    assert candidates(apprentice.id.masked, apprentice.born_on, ("330302",)) >= 1000
    assert candidates(apprentice.id.masked, apprentice.born_on, WENZHOU_AREAS) >= 1000


def test_the_earlier_masked_form_named_one_person() -> None:
    # What the release before showed: the last four characters.
    number = b.resident_id(7, "19990101")
    shown = f"{number[:4]}{'*' * 10}{number[-4:]}"
    count = 0
    for area in WENZHOU_AREAS:
        for serial in range(1000):
            first17 = f"{area}19990101{serial:03d}"
            candidate = first17 + resident_id_check_char(first17)
            count += f"{candidate[:4]}{'*' * 10}{candidate[-4:]}" == shown
    assert count < 20  # a handful: one area code each at most
