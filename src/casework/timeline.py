"""A studio's history as a person reads it: one line per event, saying what changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from casework.clock import wenzhou_time
from casework.domain.events import (
    Amended,
    ApprenticeEnrolled,
    ApprenticeQualified,
    Assessed,
    Awarded,
    CountyApproved,
    CountyRejected,
    Evaluated,
    HonourRecorded,
    Inspected,
    Logged,
    RecommendedToProvince,
    RectificationOrdered,
    RectificationReviewed,
    Returned,
    Revoked,
    Submitted,
    SubsidyPaid,
    SubsidyReversed,
    SubsidyStandardSet,
    Withdrawn,
)
from casework.domain.state import Studio, evolve
from casework.domain.values import yuan
from casework.store import Envelope


def shown_time(instant: dt.datetime) -> str:
    """An instant as people in Wenzhou read it, to the second, with its offset: 2026-11-30 12:06:00+08:00."""
    return wenzhou_time(instant).replace(microsecond=0).isoformat(sep=" ")


def summary(event: Logged) -> str:
    """One line that says what the event records, with no personal ID number in it."""
    match event:
        case Submitted(proposal=p, case_no=case_no):
            return f"{p.level}-level application {case_no}: {p.name} ({p.host.name}, {p.host.county})"
        case Returned(missing=missing, opinion=opinion):
            return f"returned for amendment: {opinion}; missing {', '.join(missing)}"
        case Amended(changes=changes):
            fields = [f for f in changes.__struct_fields__ if getattr(changes, f) is not None]
            return f"amended {', '.join(fields) or 'nothing'}"
        case Withdrawn(reason=reason):
            return f"withdrawn: {reason}"
        case CountyApproved(reviewer_unit=unit, opinion=opinion):
            return f"approved by {unit}, originals verified: {opinion}"
        case CountyRejected(reviewer_unit=unit, opinion=opinion):
            return f"rejected by {unit}: {opinion}"
        case Assessed(recommended=recommended, panel=panel, score=score):
            verdict = "recommended" if recommended else "not recommended"
            scored = f", score {score}" if score is not None else ""
            return f"expert panel ({', '.join(panel)}): {verdict}{scored}"
        case Awarded(decision_no=no, plaque_no=plaque):
            return f"awarded by {no}, plaque {plaque}"
        case SubsidyPaid(kind=kind, amount_fen=fen, voucher_no=voucher, grade=grade):
            for_grade = f" for {grade}" if grade else ""
            return f"{kind} subsidy {yuan(fen)} paid{for_grade}, voucher {voucher}"
        case SubsidyReversed(voucher_no=voucher, amount_fen=fen, reason=reason):
            return f"payment {voucher} of {yuan(fen)} reversed: {reason}"
        case ApprenticeEnrolled(name=name, id=pid):
            return f"apprentice {name} ({pid.masked}) enrolled"
        case ApprenticeQualified(grade=grade, certificate_no=cert):
            return f"apprentice reached {grade}, certificate {cert}"
        case Inspected(inspector=inspector, findings=findings):
            return f"inspected by {inspector}: {findings}"
        case Evaluated(period=period, base=base, bonus_total=bonus, total=total, grade=grade):
            return f"evaluation {period}: base {base} + bonus {bonus} = {total}, {grade}"
        case RectificationOrdered(reason=reason, deadline=deadline):
            return f"rectification ordered ({reason}), deadline {deadline}"
        case RectificationReviewed(passed=passed, findings=findings, score=score):
            verdict = "passed" if passed else "not passed"
            scored = f", score {score}" if score is not None else ""
            return f"rectification reviewed: {verdict}{scored}: {findings}"
        case HonourRecorded(person_name=name, honour=honour, level=level, document_no=no):
            return f"{level}-level honour for {name}: {honour} ({no})"
        case Revoked(ground=ground, note=note):
            return f"revoked ({ground}): {note}"
        case RecommendedToProvince(year=year):
            return f"recommended to the province for {year}"
        case SubsidyStandardSet(in_force_from=since, document_no=no, rates_fen=rates):
            paid = ", ".join(f"{grade} {yuan(fen)}" for grade, fen in rates.items()) or "nothing"
            return f"apprenticeship subsidy standard from {since} ({no}): {paid}"
    return type(event).__name__  # pragma: no cover


@dataclass(frozen=True)
class Entry:
    envelope: Envelope
    before: Studio | None
    after: Studio

    @property
    def status_change(self) -> str:
        old = self.before.status if self.before else "—"
        return self.after.status if old == self.after.status else f"{old} → {self.after.status}"


def entries(envelopes: list[Envelope]) -> Iterator[Entry]:
    """Each event with the state just before and just after it."""
    state: Studio | None = None
    for envelope in envelopes:
        # The standards have a stream of their own (casework.application): never a studio's.
        assert not isinstance(envelope.event, SubsidyStandardSet), "not a studio's history"
        after = evolve(state, envelope.event, envelope.originator_id)
        yield Entry(envelope=envelope, before=state, after=after)
        state = after


def record(entry: Entry) -> dict[str, str | int | None]:
    """An entry as data (JSON, CSV): the timeline's facts with the recorded time in full, at +08:00.

    Like the timeline, it holds the summary of the event, not its content: an ID number
    appears masked at most, never in clear nor sealed.
    """
    env = entry.envelope
    return {
        "version": env.originator_version,
        "recorded_at": wenzhou_time(env.meta.recorded_at).isoformat(),
        "effective_on": env.meta.effective_on.isoformat(),
        "actor": env.meta.actor,
        "role": env.meta.role,
        "type": type(env.event).__name__,
        "status_before": entry.before.status if entry.before else None,
        "status_after": entry.after.status,
        "summary": summary(env.event),
        "correlation_id": env.meta.correlation_id,
        "request_id": env.meta.request_id,
    }
