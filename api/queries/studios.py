"""The register: the studios a caller may see, filtered, a page at a time or all as an export."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
from msgspec import Struct
from msgspec.structs import asdict

from api.exports import Export, Query
from api.schemas import StudioView, studio_view
from casework.domain import rules
from casework.domain.permissions import Actor
from casework.domain.policy import PolicyTable
from projections.register import COLUMNS, search_grams, training_shortfall_sql

# What a studio's view is made of: not the domain state, nor the name's search grams.
VIEW_COLUMNS = tuple(c for c in COLUMNS if c not in ("state", "name_grams"))
_SELECT = f"SELECT {', '.join(VIEW_COLUMNS)} FROM register_studios"  # noqa: S608
SELECT_ONE = f"{_SELECT} WHERE id = $1"


class RegisterFilter(Struct, frozen=True):
    """The filters of GET /studios (and of the console's register page)."""

    county: str | None = None
    level: str | None = None
    status: str | None = None
    occupation: str | None = None
    grade: str | None = None
    q: str | None = None  # part of the studio's name
    training_shortfall: bool | None = None
    has_honour: bool | None = None


def register_sql(
    actor: Actor, wanted: RegisterFilter, today: dt.date, duty: int, after: list[Any] | None = None
) -> tuple[str, list[Any]]:
    """The register's query (ordered by case number) and its parameters."""
    where: list[str] = []
    params: list[Any] = []

    def add(clause: str, value: Any) -> None:
        params.append(value)
        where.append(clause.replace("?", f"${len(params)}"))

    if actor.role in rules.COUNTY_SCOPED_ROLES:
        add("county = ?", actor.county)
    for column, value in (
        ("county", wanted.county),
        ("level", wanted.level),
        ("status", wanted.status),
        ("occupation", wanted.occupation),
        ("last_grade", wanted.grade),
    ):
        if value is not None:
            add(f"{column} = ?", value)
    if wanted.q:
        add("name_grams @> ?", search_grams(wanted.q))
        add("name LIKE ?", f"%{wanted.q.replace('%', '').replace('_', '')}%")
    if wanted.training_shortfall is not None:
        params.extend((today, duty))
        shortfall = training_shortfall_sql(f"${len(params) - 1}", f"${len(params)}")
        where.append(shortfall if wanted.training_shortfall else f"NOT {shortfall}")
    if wanted.has_honour is not None:
        where.append(("" if wanted.has_honour else "NOT ") + "jsonb_array_length(honours) > 0")
    if after is not None:
        params.extend(after)
        where.append(f"(case_no, id) > (${len(params) - 1}, ${len(params)}::uuid)")
    return _SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY case_no, id", params


async def register_page(
    db: asyncpg.Pool[Any],
    actor: Actor,
    wanted: RegisterFilter,
    today: dt.date,
    duty: int,
    size: int,
    after: list[Any] | None = None,
) -> tuple[list[Any], list[Any] | None]:
    """One page of the register, and the (case number, id) after which the next one starts."""
    sql, params = register_sql(actor, wanted, today, duty, after)
    rows = await db.fetch(f"{sql} LIMIT {size + 1}", *params)
    following = [rows[size - 1]["case_no"], rows[size - 1]["id"]] if len(rows) > size else None
    return list(rows[:size]), following


async def one_studio(db: asyncpg.Pool[Any], actor: Actor, studio_id: uuid.UUID) -> Any | None:
    """A studio's register row, or None when there is none or it is outside the caller's county."""
    found = await db.fetchrow(SELECT_ONE, studio_id)
    if found is None or not actor.sees_county(found["county"]):
        return None
    return found


# The register as a spreadsheet: a studio a line, in the order of the JSON pages.
REGISTER_CSV = (
    "case_no",
    "name",
    "status",
    "level",
    "county",
    "occupation",
    "host",
    "host_credit_code",
    "master",
    "master_id_number",
    "award_published_on",
    "construction_paid",
    "apprenticeship_paid",
    "training_average",
    "training_shortfall",
    "last_grade",
    "last_total",
    "rectification_deadline",
    "next_evaluation_due",
    "version",
    "id",
)


def register_export(actor: Actor, wanted: RegisterFilter, today: dt.date, policies: PolicyTable) -> Export:
    """The filtered register as an export (streamed by api.exports): the API's and the console's."""
    sql, params = register_sql(actor, wanted, today, policies.on(today).training_duty_per_year)

    def cells(record: Any) -> list[Any]:
        values = flat(studio_view(record, today, policies))
        return [values[c] for c in REGISTER_CSV]

    return Export("register", REGISTER_CSV, [Query(sql, cells, params)])


def flat(view: StudioView) -> dict[str, Any]:
    """A studio as one CSV row."""
    data = asdict(view)
    return {
        "id": view.id,
        "case_no": view.case_no,
        "status": view.status,
        "level": view.level,
        "name": view.name,
        "occupation": view.occupation,
        "county": view.host.county,
        "host": view.host.name,
        "host_credit_code": view.host.credit_code,
        "master": view.master.name,
        "master_id_number": view.master.id_number,
        "award_published_on": view.award.published_on if view.award else None,
        "construction_paid": view.subsidies.construction_paid,
        "apprenticeship_paid": view.subsidies.apprenticeship_paid,
        "training_average": view.training.average_per_year,
        "training_shortfall": view.training.shortfall,
        "last_grade": view.last_evaluation.grade if view.last_evaluation else None,
        "last_total": view.last_evaluation.total if view.last_evaluation else None,
        "rectification_deadline": view.open_rectification.deadline if view.open_rectification else None,
        "next_evaluation_due": view.next_evaluation_due,
        "version": data["version"],
    }
