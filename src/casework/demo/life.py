"""An awarded studio's working years: its subsidies, apprentices, honours, and every evaluation
but the last (which the path's ending records, with the score it calls for)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from msgspec.structs import replace

from casework import builders as b
from casework.domain import rules
from casework.domain.decide.award import construction_commitment_fen
from casework.domain.decide.subsidies import standard_in_force
from casework.domain.values import Bonus, ItemScore

from .walk import FINANCE, Walk

HONOURS: tuple[tuple[str, rules.HonourLevel], ...] = (
    ("温州市首席技师", "city"),
    ("瓯江技能大奖", "city"),
    ("浙江省首席技师", "province"),
    ("钱江技能大奖", "province"),
    ("中华技能大奖", "national"),
)
GRADES: tuple[rules.CertificateGrade, ...] = ("中级工", "高级工")


def working_years(walk: Walk) -> None:
    awarded_on = walk.on
    if walk.studio.level == "city":
        construction_subsidy(walk)
    apprentices(walk, awarded_on)
    honour(walk, awarded_on)
    year = awarded_on.year
    while dt.date(year + 2, 3, 31) < walk.demo.today:
        walk.periods.append((f"{year}-{year + 1}", dt.date(year + 2, 3, walk.rng.randint(1, 31))))
        year += 2
    for period, on in walk.periods[:-1]:
        evaluate(walk, period, on, walk.rng.randint(62, 97))
        if walk.rng.random() < 0.3:
            inspected = walk.demo.after(on, 30, 200)
            if inspected < walk.demo.today:
                walk.run(b.inspect(walk.id, on=inspected), walk.office)
    walk.on = awarded_on


def construction_subsidy(walk: Walk) -> None:
    """Paid within two months of the award; now and then reversed (a wrong account) and paid again."""
    demo = walk.demo
    paid_on = demo.after(walk.on, 20, 60)
    if paid_on >= demo.today:
        return  # awarded lately: not paid yet (an act is never dated after today)
    payment = replace(
        b.construction_payment(walk.id, voucher_no=demo.voucher(paid_on)),
        amount_fen=construction_commitment_fen(walk.studio),
        paid_on=paid_on,
    )
    walk.run(payment, FINANCE)
    if walk.rng.random() < 0.08:
        reversed_on = demo.after(paid_on, 3, 10)
        paid_again_on = demo.after(reversed_on, 3, 10)
        if paid_again_on >= demo.today:
            return
        walk.run(replace(b.reverse_payment(walk.id, payment.voucher_no), reversed_on=reversed_on), FINANCE)
        again = replace(payment, voucher_no=demo.voucher(paid_again_on), paid_on=paid_again_on)
        walk.run(again, FINANCE)


def apprentices(walk: Walk, since: dt.date) -> None:
    """Apprentices enrolled after ``since``, their qualifications, and the subsidies paid for them."""
    demo, people = walk.demo, walk.demo.people
    for _ in range(walk.rng.randint(*demo.apprentices_per_studio)):
        joined = demo.after(since, 10, 200)
        if joined >= demo.today:
            break
        number = people.resident_id(walk.studio.county, people.birth(1984, 2004))
        # Most under a 以师带徒 agreement; some trained through another channel (多渠道).
        signed = joined if walk.rng.random() < 0.85 else None
        enrolment = b.enroll(
            walk.id,
            number,
            protect=lambda n: demo.vault.protect(n, "id_number"),
            on=joined,
            name=people.name(),
            agreement_signed_on=signed,
        )
        walk.run(enrolment, walk.office)
        on = joined
        for grade in GRADES:
            on = demo.after(on, 200, 600)
            if on >= demo.today or walk.rng.random() < 0.25:
                break
            qualified = b.qualify(walk.id, enrolment.apprentice_id, grade, on)
            walk.run(
                replace(qualified, certificate_no=f"Z{on:%Y%m}{walk.rng.randrange(10**6):06d}"), walk.office
            )
            paid_on = demo.after(on, 15, 60)
            standard = standard_in_force(demo.standards, paid_on)
            rate = standard.rates_fen.get(grade) if standard else None
            due = signed is not None and paid_on < demo.today
            if due and rate is not None and walk.rng.random() < 0.7:
                payment = replace(
                    b.construction_payment(walk.id, voucher_no=demo.voucher(paid_on)),
                    kind="apprenticeship",
                    amount_fen=rate,
                    paid_on=paid_on,
                    apprentice_id=enrolment.apprentice_id,
                )
                walk.run(payment, FINANCE)


def honour(walk: Walk, awarded_on: dt.date) -> None:
    """Now and then an honour of the master (第六条(三)(五))."""
    conferred = walk.demo.after(awarded_on, 100, 900)
    if conferred >= walk.demo.today or walk.rng.random() < 0.6:
        return
    name, level = walk.rng.choice(HONOURS)
    document_no = f"温政发〔{conferred.year}〕{walk.rng.randint(10, 99)}号"
    walk.run(
        replace(b.honour(walk.id, conferred), honour=name, level=level, document_no=document_no), walk.office
    )


def evaluate(walk: Walk, period: str, on: dt.date, target: int) -> None:
    scores, bonus = sheet(walk, target)
    walk.run(replace(b.evaluate(walk.id, period=period, on=on), scores=scores, bonus=bonus), walk.office)


def sheet(walk: Walk, target: int) -> tuple[dict[str, ItemScore], tuple[Bonus, ...]]:
    """A score sheet whose assessed scores add up to about ``target``."""
    scores: dict[str, ItemScore] = {}
    ratio = Decimal(min(target, 100)) / 100
    for item in rules.SCORING_SHEET:
        assessed = (item.maximum * ratio * 2).to_integral_value() / 2
        self_score = min(item.maximum, assessed + Decimal(walk.rng.choice(("0", "0.5", "1"))))
        scores[item.code] = ItemScore(self_score=self_score, assessed=assessed)
    bonus: tuple[Bonus, ...] = ()
    if target > 85 and walk.rng.random() < 0.5:
        bonus = (Bonus(kind="media_coverage", points=Decimal(3), note="温州日报专题报道"),)
    return scores, bonus
