"""Random commands for one studio, drawn with hypothesis, biased to move the case forward."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from hypothesis import strategies as st
from msgspec.structs import replace

from casework.application import Casework, Context
from casework.domain import commands as c
from casework.domain import rules
from casework.domain.decide.circumstances import Circumstances
from casework.domain.ids import birth_date
from casework.domain.permissions import ALLOWED, STUDIO_OFFICE, Actor
from casework.domain.policy import MEASURES_2013
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
# Every drawn date lies before this "today" (START + 4000 days is in December 2024), except
# deadlines, which may lie ahead; the subsidy standard of the tests is in force throughout.
CIRCUMSTANCES = Circumstances(today=dt.date(2026, 11, 30), standards=(b.STANDARD_2013,))
STANDARD = c.SetSubsidyStandard(
    in_force_from=b.STANDARD_2013.in_force_from,
    document_no=b.STANDARD_2013.document_no,
    rates_fen=b.STANDARD_2013.rates_fen,
)


def ensure_standard(app: Casework) -> None:
    """Record the tests' subsidy standard in ``app`` once, as the city office does."""
    if not app.subsidy_standards():
        app.set_subsidy_standard(
            STANDARD, Context(actor=ACTORS["city_office"], correlation_id="p", request_id="p")
        )


def actor_for(command: c.StudioCommand, state: Studio | None) -> Actor:
    """Who runs ``command``: a role the table allows, and for the acts of the studio's office,
    the office of the studio's level (the city office, or the county's reviewer)."""
    roles = ALLOWED[type(command)][1]
    if roles is STUDIO_OFFICE and state is not None:
        return ACTORS["city_office" if state.level == "city" else "county_reviewer"]
    return ACTORS[sorted(roles)[0]]


KINDS = (
    "submit", "return", "amend", "withdraw", "approve", "reject", "assess", "award",
    "pay_construction", "pay_apprenticeship", "reverse", "enrol", "qualify", "inspect",
    "evaluate", "rectify", "review", "honour", "revoke", "recommend",
)  # fmt: skip
FORWARD: dict[str | None, tuple[str, ...]] = {
    None: ("submit",),
    "submitted": ("approve", "return", "reject"),
    "returned": ("amend", "withdraw"),
    "county_approved": ("assess",),
    "assessed": ("award",),
    "awarded": (
        "pay_construction", "enrol", "qualify", "pay_apprenticeship", "evaluate", "evaluate",
        "rectify", "inspect", "recommend", "reverse", "revoke", "honour",
    ),
    "rectifying": ("evaluate", "review", "review", "revoke", "revoke", "pay_construction", "inspect"),
}  # fmt: skip


def day(data: st.DataObject, since: dt.date | None = None) -> dt.date:
    """Any day from START, or mostly a day on or after ``since`` (never after today)."""
    if since is None or not data.draw(st.integers(0, 4), label="after"):
        return START + dt.timedelta(days=data.draw(st.integers(0, 4000), label="day"))
    return min(since + dt.timedelta(days=data.draw(st.integers(0, 700), label="later")), CIRCUMSTANCES.today)


# Totals at and around the grade bands' edges (附件 注1).
TOTALS = ("45", "59.5", "60", "75", "79.5", "80", "89.5", "90", "100")


def score_sheet(data: st.DataObject) -> dict[str, ItemScore]:
    """A sheet of any scores, or half the time one whose total lies in a chosen band."""
    if data.draw(st.booleans(), label="banded"):
        return b.scores(data.draw(st.sampled_from(TOTALS), label="total"))
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
    # Acts on an awarded studio mostly follow its award.
    on = day(data, state.award.published_on if state and state.award else None)
    apprentices = state.apprentices if state else ()
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
            fen = data.draw(st.sampled_from((MEASURES_2013.construction_subsidy_fen,) * 3 + (2_999_999,)))
            return c.PaySubsidy(
                studio_id=sid,
                kind="construction",
                amount_fen=fen,
                voucher_no=f"{serial}-{data.draw(st.sampled_from(VOUCHERS))}",
                paid_on=on,
            )
        case "pay_apprenticeship":
            qualified = [a for a in apprentices if a.qualifications]
            if qualified and data.draw(st.booleans(), label="a qualified apprentice"):
                apprentice = data.draw(st.sampled_from(qualified))
                reached = data.draw(st.sampled_from(apprentice.qualifications))
                rate = b.STANDARD_2013.rates_fen.get(reached.grade, 100_000)
                paid_on, apprentice_id = day(data, reached.qualified_on), apprentice.apprentice_id
            else:
                rate = data.draw(st.sampled_from(sorted(b.STANDARD_2013.rates_fen.values())))
                paid_on, apprentice_id = on, data.draw(st.sampled_from(APPRENTICES))
            return c.PaySubsidy(
                studio_id=sid,
                kind="apprenticeship",
                amount_fen=rate,
                voucher_no=f"{serial}-{data.draw(st.sampled_from(VOUCHERS))}",
                paid_on=paid_on,
                apprentice_id=apprentice_id,
            )
        case "reverse":
            paid = state.payments if state else ()
            if paid and data.draw(st.booleans()):
                # A payment made, reversed on any day or on one after it: a reversal dated before
                # its payment is refused, and the walk must reach accepted ones too.
                payment = data.draw(st.sampled_from(paid))
                on = data.draw(st.sampled_from((on, max(on, payment.paid_on))))
                return c.ReverseSubsidy(
                    studio_id=sid, voucher_no=payment.voucher_no, reason="更正", reversed_on=on
                )
            drawn = f"{serial}-{data.draw(st.sampled_from(VOUCHERS))}"
            return c.ReverseSubsidy(studio_id=sid, voucher_no=drawn, reason="更正", reversed_on=on)
        case "enrol":
            n = data.draw(st.integers(1, len(APPRENTICES)))
            # Young or not when qualified; some without a 以师带徒 agreement (another channel).
            number = b.resident_id(500 + n, data.draw(st.sampled_from(("19750101", "19900101", "20000101"))))
            return c.EnrollApprentice(
                studio_id=sid,
                apprentice_id=APPRENTICES[n - 1],
                name=f"学徒{n}",
                id=b.protected(number),
                born_on=birth_date(number),
                enrolled_on=on,
                agreement_signed_on=data.draw(st.sampled_from((on, on, None))),
            )
        case "qualify":
            if apprentices and data.draw(st.booleans(), label="an enrolled apprentice"):
                enrolled = data.draw(st.sampled_from(apprentices))
                apprentice_id, qualified_on = enrolled.apprentice_id, day(data, enrolled.enrolled_on)
            else:
                apprentice_id, qualified_on = data.draw(st.sampled_from(APPRENTICES)), on
            return c.RecordQualification(
                studio_id=sid,
                apprentice_id=apprentice_id,
                grade=data.draw(st.sampled_from(rules.CERTIFICATE_GRADES)),
                certificate_no="C-1",
                qualified_on=qualified_on,
            )
        case "inspect":
            return c.Inspect(studio_id=sid, inspector="市局", findings="正常", inspected_on=on)
        case "evaluate":
            # Mostly a period from the award on, evaluated on or after its first day.
            awarded = state.award.published_on.year if state and state.award else on.year
            year = data.draw(st.integers(awarded - 1, awarded + 6), label="period")
            evaluated = dt.date(year, 1, 1) + dt.timedelta(days=data.draw(st.integers(-10, 900), label="on"))
            bonus = tuple(
                Bonus(kind=kind, points=Decimal(data.draw(st.integers(0, 16))) / 2)
                for kind in data.draw(st.lists(st.sampled_from(rules.BONUS_KINDS), max_size=3))
            )
            return c.Evaluate(
                studio_id=sid,
                period=f"{year}-{year + 1}",
                scores=score_sheet(data),
                evaluated_on=min(evaluated, CIRCUMSTANCES.today),
                bonus=bonus,
            )
        case "rectify":
            failed = (
                state is not None
                and state.latest_evaluation is not None
                and state.latest_evaluation.grade == "fail"
            )
            reasons = (
                ("failed_evaluation", "failed_evaluation", "fraud", "inspection")
                if failed
                else rules.RECTIFICATION_REASONS
            )
            reason = data.draw(st.sampled_from(reasons))
            deadline = on + dt.timedelta(days=data.draw(st.integers(-5, 400)))
            return c.OrderRectification(
                studio_id=sid, reason=reason, findings="问题", ordered_on=on, deadline=deadline
            )
        case "review":
            # Mostly around the deadline of the open order, if there is one.
            order = state.open_rectification if state else None
            near = order.deadline if order else on
            reviewed = near + dt.timedelta(days=data.draw(st.integers(-10, 60), label="after deadline"))
            return c.ReviewRectification(
                studio_id=sid,
                reviewed_on=min(reviewed, CIRCUMSTANCES.today),
                passed=data.draw(st.booleans(), label="passed"),
                findings="复查",
            )
        case "honour":
            person = data.draw(st.sampled_from(("master", "member-1", "member-2", str(APPRENTICES[0]))))
            return c.RecordHonour(
                studio_id=sid,
                honour_id=uuid.uuid4(),
                person=person,
                honour="温州市首席技师",
                level=data.draw(st.sampled_from(rules.HONOUR_LEVELS)),
                conferred_on=on,
                document_no="温政发〔2016〕1号",
            )
        case "revoke":
            # Under rectification, mostly the ground that follows it (第七条(四)3).
            grounds = ("failed_after_rectification",) * 4 if status == "rectifying" else ()
            ground = data.draw(st.sampled_from((*grounds, *rules.REVOCATION_GROUNDS)))
            return c.Revoke(studio_id=sid, ground=ground, note="依规", decided_on=on)
        case _:
            return c.RecommendToProvince(studio_id=sid, year=on.year, note="推荐", recommended_on=on)
