"""A studio walking its path through the application: who acts for it, and the business date
its last step reached."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

from casework.application import Casework, Context
from casework.domain import commands as c
from casework.domain import rules
from casework.domain.events import SubsidyStandardSet
from casework.domain.permissions import Actor
from casework.domain.state import Studio
from casework.vault import Vault

from .people import AREA_CODES, People

CITY_OFFICE = Actor(subject="city.office.zhang", role="city_office")
FINANCE = Actor(subject="finance.clerk.li", role="finance")


class NotYet(Exception):
    """The path's next step would fall on or after today: the studio stays where it is."""


@dataclass
class Demo:
    """Loads studios through ``app``; ``today`` bounds every business date."""

    app: Casework
    vault: Vault
    today: dt.date
    rng: random.Random
    # Apprentices enrolled per awarded studio (fewest, most); the benchmarks ask for more.
    apprentices_per_studio: tuple[int, int] = (2, 9)
    vouchers: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, uuid.UUID] = field(default_factory=dict)
    versions: dict[uuid.UUID, int] = field(default_factory=dict)
    standards: tuple[SubsidyStandardSet, ...] = ()
    # Whether this load recorded EXAMPLE_STANDARD (a store with a standard keeps its own).
    recorded_example: bool = False
    people: People = field(init=False)

    def __post_init__(self) -> None:
        self.people = People(self.rng, self.vault)

    def run(self, command: c.StudioCommand, actor: Actor) -> Studio:
        context = Context(actor=actor, correlation_id=str(command.studio_id), request_id=str(uuid.uuid4()))
        return self.app.execute(command, context).studio

    def after(self, on: dt.date, low: int, high: int) -> dt.date:
        return on + dt.timedelta(days=self.rng.randint(low, high))

    def voucher(self, on: dt.date) -> str:
        # Unique across runs and loader processes too: the counter alone restarts with each,
        # so a 40-bit random part makes a clash with another run's voucher negligible.
        self.vouchers += 1
        return f"GK{on.year}-{self.rng.getrandbits(40):010x}-{self.vouchers:06d}"

    def submit(self, county: str, years_behind: int) -> Walk:
        """A new application from ``county``, submitted ``years_behind`` years ago or more."""
        # A 市直 host has no county office to manage a county-level studio.
        county_level = county != rules.CITY_DIRECT and self.rng.random() < 0.15
        level: rules.Level = "county" if county_level else "city"
        earliest = dt.date(2013, 6, 1)
        last = self.today - dt.timedelta(days=max(150, 365 * years_behind))
        on = earliest + dt.timedelta(days=self.rng.randint(0, max(0, (last - earliest).days)))
        applicant = Actor(subject=f"applicant.{AREA_CODES[county]}", role="applicant", county=county)
        command = c.Submit(
            studio_id=uuid.uuid4(),
            proposal=self.people.proposal(county, level),
            case_no=self.app.new_case_no(on),
            submitted_on=on,
        )
        return Walk(demo=self, studio=self.run(command, applicant), on=on)


@dataclass
class Walk:
    demo: Demo
    studio: Studio
    on: dt.date
    # The evaluation periods behind the studio and when each was evaluated (after its award).
    periods: list[tuple[str, dt.date]] = field(default_factory=list)

    @property
    def id(self) -> uuid.UUID:
        return self.studio.id

    @property
    def rng(self) -> random.Random:
        return self.demo.rng

    @property
    def applicant(self) -> Actor:
        return Actor(
            subject=f"applicant.{AREA_CODES[self.studio.county]}", role="applicant", county=self.studio.county
        )

    @property
    def reviewer(self) -> Actor:
        code = AREA_CODES[self.studio.county]
        return Actor(subject=f"reviewer.{code}", role="county_reviewer", county=self.studio.county)

    @property
    def office(self) -> Actor:
        """The studio's office: the city's for a city-level studio, its county's otherwise."""
        return CITY_OFFICE if self.studio.level == "city" else self.reviewer

    @property
    def unit(self) -> str:
        """The reviewing unit's name."""
        county = self.studio.county
        return f"{county}人力社保局" if county != rules.CITY_DIRECT else "市经信局"

    def go(self, low: int, high: int) -> dt.date:
        """Move the business date on by ``low`` to ``high`` days; NotYet if that is today or later."""
        on = self.demo.after(self.on, low, high)
        if on >= self.demo.today:
            raise NotYet
        self.on = on
        return on

    def run(self, command: c.StudioCommand, actor: Actor) -> None:
        self.studio = self.demo.run(command, actor)
