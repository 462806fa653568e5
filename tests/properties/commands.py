"""Random commands for one studio, drawn with hypothesis, biased to move the case forward."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from hypothesis import strategies as st
from msgspec.structs import replace

from casework.domain import commands as c
from casework.domain import rules
from casework.domain.permissions import Actor
from casework.domain.state import Studio
from casework.domain.values import Bonus, ItemScore, ProposalChanges
from tests import builders as b

# One actor per role, all of 鹿城区 where the role is county-scoped: who runs a drawn command.
ACTORS = {
    "applicant": Actor(subject="a", role="applicant", county="鹿城区"),
    "county_reviewer": Actor(subject="r", role="county_reviewer", county="鹿城区"),
    "city_office": Actor(subject="o", role="city_office"),
    "finance": Actor(subject="f", role="finance"),
}

START = dt.date(2014, 1, 1)
VOUCHERS = ("V1", "V2", "V3", "V4")
APPRENTICES = tuple(uuid.UUID(int=n) for n in range(1, 4))

KINDS = (
    "submit", "return", "amend", "withdraw", "approve", "reject", "assess", "award",
    "pay_construction", "pay_apprenticeship", "reverse", "enrol", "qualify", "inspect",
    "evaluate", "rectify", "revoke", "recommend",
)  # fmt: skip
FORWARD: dict[str | None, tuple[str, ...]] = {
    None: ("submit",),
    "submitted": ("approve", "return", "reject"),
    "returned": ("amend", "withdraw"),
    "county_approved": ("assess",),
    "assessed": ("award",),
    "awarded": (
        "pay_construction", "enrol", "qualify", "pay_apprenticeship", "evaluate", "evaluate",
        "rectify", "inspect", "recommend", "reverse", "revoke",
    ),
    "rectifying": ("evaluate", "revoke", "pay_construction", "inspect"),
}  # fmt: skip


def day(data: st.DataObject) -> dt.date:
    return START + dt.timedelta(days=data.draw(st.integers(0, 4000), label="day"))


def score_sheet(data: st.DataObject) -> dict[str, ItemScore]:
    halves = st.integers(0, 20)
    return {
        item.code: ItemScore(
            self_score=min(item.maximum, Decimal(data.draw(halves)) / 2),
            assessed=min(item.maximum, Decimal(data.draw(halves, label=item.code)) / 2),
        )
        for item in rules.SCORING_SHEET
    }


def draw_command(
    data: st.DataObject, sid: uuid.UUID, state: Studio | None, serial: int = 1
) -> c.StudioCommand:
    """Any command, valid or not for ``state``; mostly one that moves the case on."""
    status = state.status if state else None
    forward = FORWARD.get(status, ())
    if forward and data.draw(st.booleans(), label="forward"):
        kind = data.draw(st.sampled_from(forward), label="kind")
    else:
        kind = data.draw(st.sampled_from(KINDS), label="kind")
    on = day(data)
    match kind:
        case "submit":
            level = data.draw(st.sampled_from(("city", "city", "county")))
            return replace(b.submit(sid, level=level, serial=serial), submitted_on=on)
        case "return":
            return replace(b.approve(sid), decision="return", missing=("plan",), reviewed_on=on)
        case "amend":
            return c.Amend(studio_id=sid, changes=ProposalChanges(plan="修订"), amended_on=on)
        case "withdraw":
            return c.Withdraw(studio_id=sid, reason="暂缓", withdrawn_on=on)
        case "approve":
            verified = data.draw(st.sampled_from((True, True, False)))
            return replace(b.approve(sid), originals_verified=verified, reviewed_on=on)
        case "reject":
            return replace(b.approve(sid), decision="reject", reviewed_on=on)
        case "assess":
            return replace(b.assess(sid, recommended=data.draw(st.sampled_from((True, True, False)))))
        case "award":
            return replace(b.award(sid), published_on=on)
        case "pay_construction":
            fen = data.draw(st.sampled_from((rules.CONSTRUCTION_SUBSIDY_FEN,) * 3 + (2_999_999,)))
            return c.PaySubsidy(
                studio_id=sid,
                kind="construction",
                amount_fen=fen,
                voucher_no=f"{serial}-{data.draw(st.sampled_from(VOUCHERS))}",
                paid_on=on,
            )
        case "pay_apprenticeship":
            return c.PaySubsidy(
                studio_id=sid,
                kind="apprenticeship",
                amount_fen=data.draw(st.sampled_from((100_000, 150_000, 200_000, 300_000))),
                voucher_no=f"{serial}-{data.draw(st.sampled_from(VOUCHERS))}",
                paid_on=on,
                apprentice_id=data.draw(st.sampled_from(APPRENTICES)),
            )
        case "reverse":
            return c.ReverseSubsidy(
                studio_id=sid,
                voucher_no=f"{serial}-{data.draw(st.sampled_from(VOUCHERS))}",
                reason="更正",
                reversed_on=on,
            )
        case "enrol":
            n = data.draw(st.integers(1, len(APPRENTICES)))
            return c.EnrollApprentice(
                studio_id=sid,
                apprentice_id=APPRENTICES[n - 1],
                name=f"学徒{n}",
                id=b.protected(b.resident_id(500 + n, "20000101")),
                born_on=dt.date(2000, 1, 1),
                agreement_signed_on=on,
            )
        case "qualify":
            return c.RecordQualification(
                studio_id=sid,
                apprentice_id=data.draw(st.sampled_from(APPRENTICES)),
                grade=data.draw(st.sampled_from(rules.CERTIFICATE_GRADES)),
                certificate_no="C-1",
                qualified_on=on,
            )
        case "inspect":
            return c.Inspect(studio_id=sid, inspector="市局", findings="正常", inspected_on=on)
        case "evaluate":
            year = data.draw(st.integers(2014, 2024))
            bonus = tuple(
                Bonus(kind=kind, points=Decimal(data.draw(st.integers(0, 16))) / 2)
                for kind in data.draw(st.lists(st.sampled_from(rules.BONUS_KINDS), max_size=3))
            )
            return c.Evaluate(
                studio_id=sid,
                period=f"{year}-{year + 1}",
                scores=score_sheet(data),
                evaluated_on=on,
                bonus=bonus,
            )
        case "rectify":
            reason = data.draw(st.sampled_from(rules.RECTIFICATION_REASONS))
            deadline = on + dt.timedelta(days=data.draw(st.integers(-5, 400)))
            return c.OrderRectification(
                studio_id=sid, reason=reason, findings="问题", ordered_on=on, deadline=deadline
            )
        case "revoke":
            ground = data.draw(st.sampled_from(rules.REVOCATION_GROUNDS))
            return c.Revoke(studio_id=sid, ground=ground, note="依规", decided_on=on)
        case _:
            return c.RecommendToProvince(studio_id=sid, year=on.year, note="推荐", recommended_on=on)
