"""The training duty (第三条(二)): on average at least N young technicians a year reach
中级工 or higher, N being the policy's ``training_duty_per_year``.

- Years are **award years**: from the award date to its anniversary.
- Counted: the studio's apprentices, whatever the channel, reaching 中级工 or higher while
  young (under the policy's age on the qualification date); a person counts once in an
  award year, however many grades they reach in it.
- The average is over completed award years only; the running year is shown, not judged.
- A shortfall is flagged only for an awarded or rectifying studio with a completed year.

``trained_per_award_year`` reads a studio's state; ``training_duty`` judges those counts on
a day. The register keeps the counts, the API and the register's SQL filter judge them
(projections.register's shortfall predicate is tested against ``training_duty``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from msgspec import Struct

from casework.domain import rules
from casework.domain.policy import MEASURES, PolicyTable
from casework.domain.state import Apprentice, Qualification, Studio, anniversary


def completed_years(since: dt.date, day: dt.date) -> int:
    """Whole years from ``since`` to ``day`` (0 before the first anniversary)."""
    years = day.year - since.year - ((day.month, day.day) < (since.month, since.day))
    return max(0, years)


def age_on(born_on: dt.date, day: dt.date) -> int:
    """A person's age in whole years on ``day``."""
    return completed_years(born_on, day)


def is_young(born_on: dt.date, on: dt.date, policies: PolicyTable = MEASURES) -> bool:
    """Under the age the policy in force on ``on`` sets for 青年."""
    return age_on(born_on, on) < policies.on(on).young_under_age


def _counts(apprentice: Apprentice, qualification: Qualification, policies: PolicyTable) -> bool:
    if qualification.grade not in rules.TRAINING_COUNTED_GRADES:
        return False
    if qualification.young is not None:
        return qualification.young
    # Recorded before the decision wrote youth down: judged by the policy of its date.
    return is_young(apprentice.born_on, qualification.qualified_on, policies)


def trained_per_award_year(state: Studio, policies: PolicyTable = MEASURES) -> list[int]:
    """Young people reaching 中级工 or higher in each award year, the running year last
    (empty before the award)."""
    if state.award is None:
        return []
    awarded = state.award.published_on
    years: dict[int, set[object]] = {}
    for apprentice in state.apprentices:
        for qualification in apprentice.qualifications:
            if qualification.qualified_on >= awarded and _counts(apprentice, qualification, policies):
                index = completed_years(awarded, qualification.qualified_on)
                years.setdefault(index, set()).add(apprentice.apprentice_id)
    last = max(years, default=-1)
    return [len(years.get(i, ())) for i in range(last + 1)]


class AwardYear(Struct, frozen=True):
    number: int  # 1 for the year that starts on the award date
    starts_on: dt.date
    ends_on: dt.date  # the day before the next anniversary
    trained: int
    completed: bool


class TrainingDuty(Struct, frozen=True):
    years: tuple[AwardYear, ...]
    completed_years: int
    average_per_year: Decimal | None  # over completed years; None before the first ends
    duty_per_year: int
    shortfall: bool


def training_duty(
    awarded_on: dt.date,
    trained: Sequence[int],
    status: rules.Status,
    today: dt.date,
    policies: PolicyTable = MEASURES,
) -> TrainingDuty:
    """The duty as it stands on ``today`` for counts per award year (the running one too)."""
    done = completed_years(awarded_on, today)
    duty = policies.on(today).training_duty_per_year
    counted = sum(trained[:done])
    years = tuple(
        AwardYear(
            number=i + 1,
            starts_on=anniversary(awarded_on, i),
            ends_on=anniversary(awarded_on, i + 1) - dt.timedelta(days=1),
            trained=trained[i] if i < len(trained) else 0,
            completed=i < done,
        )
        for i in range(done + 1)
    )
    average = (Decimal(counted) / done).quantize(Decimal("0.01")) if done else None
    return TrainingDuty(
        years=years,
        completed_years=done,
        average_per_year=average,
        duty_per_year=duty,
        # Compared in whole numbers: an average of 4.999 must not round up to the duty.
        shortfall=status in rules.ACTIVE_STUDIO and done >= 1 and counted < duty * done,
    )
