"""Run months of realistic cases through the real engine under a virtual clock.

A discrete-event simulation: cases arrive per process profile (yearly volume with monthly
seasonality, Poisson arrivals), each user task is completed after a lognormal duration (working
or calendar days) with answers the profile gives per task id, messages such as a withdrawal
arrive after a delay, and timers fire at their exact due times. Everything goes through the
public engine API, so the database ends up with real history: versions, tasks, events, outbox,
fund ledger. Same seed, same story.
"""

from __future__ import annotations

import heapq
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select

from engine import ConflictError, Engine, EngineError, HumanTask, InstanceSummary, ManualClock
from engine.readmodel import process_instance
from workflows import handovers, mail, norm_watch, norms
from workflows.roles import INITIATOR_LANE
from workflows.simulation.leadtimes import RouteFigures, YearFigures, route_figures
from workflows.simulation.staff import DEFAULT_STAFF, Colleague, Staff

Answer = Callable[[random.Random, Mapping[str, Any]], dict[str, Any]]

_Z90 = 1.2815515655446004  # the 90th percentile of the standard normal distribution

CLAIMED_FIRST = 0.85
#: who acted where nobody of the staff may (and for timers and messages)
SYSTEM_ACTOR = "simulatie"


#: a case's status: whether a message can still reach it (its data is not needed)
_STATUS = select(process_instance.c.status).where(process_instance.c.id == bindparam("b_id"))


@dataclass(frozen=True)
class Duration:
    """A lognormal duration given by its median and 90th percentile, in (working) days."""

    median_days: float
    p90_days: float
    working: bool = False

    def after(self, rng: random.Random, start: datetime) -> datetime:
        """The moment this duration, sampled once, ends after `start`."""
        sigma = max(math.log(max(self.p90_days, self.median_days) / self.median_days) / _Z90, 1e-6)
        days = rng.lognormvariate(math.log(self.median_days), sigma)
        if not self.working:
            return start + timedelta(days=days)
        whole = max(int(days), 0)
        if whole == 0:
            return start + timedelta(hours=days * 8)
        return norms.due_at(
            start, norms.Norm(norms.NormKind.WORKING_DAYS, working_days=whole)
        ) - timedelta(hours=rng.uniform(0, 7))


@dataclass(frozen=True)
class TaskPlan:
    """How the simulated people handle one user task (by BPMN id)."""

    answer: Answer
    duration: Duration


@dataclass(frozen=True)
class MessagePlan:
    """A message some cases receive, e.g. the initiator withdrawing."""

    name: str
    probability: float
    delay: Duration
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProcessProfile:
    """The volume and behaviour of one process in the simulation."""

    process_id: str
    per_year: float
    start_data: Callable[[random.Random, int], dict[str, Any]]
    tasks: Mapping[str, TaskPlan]
    key_prefix: str
    seasonality: Sequence[float] = (1.0,) * 12  # relative weight per calendar month
    messages: Sequence[MessagePlan] = ()
    default_task: TaskPlan = TaskPlan(lambda rng, data: {}, Duration(2, 6, working=True))


@dataclass
class SimulationReport:
    """What happened, for the CLI and the tests."""

    started: Counter[str] = field(default_factory=Counter)
    statuses: Counter[tuple[str, str]] = field(default_factory=Counter)
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)
    tasks_completed: int = 0
    messages_delivered: int = 0
    timer_runs: int = 0
    norm_signals: int = 0  # signals and escalations of passed norms (`norm_watch`)
    #: cases handed over to a new case of another process, per target process
    handed_over: Counter[str] = field(default_factory=Counter)
    errored: list[tuple[int, str]] = field(default_factory=list)
    #: per route: the wait for the answer against its norm, and the norm signals sent
    routes: list[RouteFigures] = field(default_factory=list)
    #: the fund, the aspects and the gebied budgets against DOMAIN §4.1 (`simulate_year` only)
    year: YearFigures | None = None
    wall_seconds: float = 0.0
    #: cases the database held before the run (`simulate_year` only): their fund reservations,
    #: gebied budgets and case numbers carry over, so the outcome differs from an empty one's
    cases_before: int = 0


def arrivals(
    profile: ProcessProfile, start: datetime, end: datetime, rng: random.Random
) -> list[datetime]:
    """Poisson arrivals with the profile's monthly seasonality (by thinning)."""
    weights = list(profile.seasonality)
    peak = max(weights)
    mean = sum(weights) / len(weights)
    rate_per_day = profile.per_year / 365.25 * peak / mean  # the busiest month's rate
    out: list[datetime] = []
    moment = start
    while True:
        moment += timedelta(days=rng.expovariate(rate_per_day))
        if moment >= end:
            return out
        if rng.random() <= weights[moment.month - 1] / peak:
            out.append(moment)


class Simulation:
    """One run: call `run()` once."""

    def __init__(
        self,
        engine: Engine,
        profiles: Sequence[ProcessProfile],
        start: datetime,
        months: int,
        seed: int = 1,
        progress: Callable[[datetime], None] | None = None,
        staff: Sequence[Colleague] | Staff | None = None,
    ) -> None:
        if not isinstance(engine.clock, ManualClock):
            raise EngineError(
                "De simulatie heeft een engine met een ManualClock nodig (virtuele tijd)."
            )
        self.engine, self.clock, self.progress = engine, engine.clock, progress
        self.profiles = {p.process_id: p for p in profiles}
        self.start, self.end = start, add_months(start, months)
        #: one random stream per process (arrivals, data, answers, durations, messages): a
        #: change to one route's profile leaves the other routes' story as it was
        self.streams = {
            pid: random.Random(f"{seed}/{pid}")  # noqa: S311 - a reproducible simulation
            for pid in self.profiles
        }
        #: who takes which task, and when: a stream of its own, so the story stays the same
        self.claims = random.Random(seed + 104_729)  # noqa: S311
        self.holder: dict[str, str] = {}
        #: who may take which task (accounts of the database, or the default municipality)
        self.staff = staff if isinstance(staff, Staff) else Staff(staff or DEFAULT_STAFF)
        self.queue: list[tuple[datetime, int, str, tuple[Any, ...]]] = []
        self.sequence = 0
        self.scheduled: set[str] = set()
        #: per "PREFIX-YEAR": the highest number used (read from the database when first asked)
        self.numbers_taken: dict[str, int] = {}
        self.instance_profile: dict[int, ProcessProfile] = {}
        self.report = SimulationReport()
        #: no timer is due before this moment: a lower bound, lowered by every step's summary,
        #: so the database is asked only when a timer may be due (None: ask)
        self.earliest_timer: datetime | None = None

    def _push(self, when: datetime, kind: str, *payload: Any) -> None:
        self.sequence += 1
        heapq.heappush(self.queue, (when, self.sequence, kind, payload))

    def run(self) -> SimulationReport:
        """Simulate from start to end; returns the report."""
        began = time.monotonic()
        self.clock.set(self.start)
        for profile in self.profiles.values():
            for number, moment in enumerate(
                arrivals(profile, self.start, self.end, self.streams[profile.process_id]),
                start=1,
            ):
                self._push(moment, "start", profile.process_id, number)
        watch = self.start + WATCH_EVERY
        while watch < self.end:  # the background loop's norm signals, once a simulated day
            self._push(watch, "watch")
            watch += WATCH_EVERY
        while self.queue and self.queue[0][0] < self.end:
            when, _, kind, payload = heapq.heappop(self.queue)
            self._fire_timers_until(when)
            self.clock.set(max(when, self.clock.now()))
            getattr(self, f"_on_{kind}")(*payload)
            if self.progress is not None:
                self.progress(self.clock.now())
        self._fire_timers_until(self.end)
        self.clock.set(self.end)
        self._collect()
        mail.keep_unsent(self.engine, sorted(self.instance_profile))  # made-up addresses
        self.report.wall_seconds = time.monotonic() - began
        return self.report

    def _fire_timers_until(self, moment: datetime) -> None:
        while True:
            if self.earliest_timer is not None and self.earliest_timer >= moment:
                return  # no timer can be due yet: no need to ask the database
            due = self.engine.next_timer_due()
            self.earliest_timer = due or _NEVER
            if due is None or due >= moment:
                return
            self.clock.set(max(due + timedelta(seconds=1), self.clock.now()))
            fired = self.engine.fire_timers()
            self.earliest_timer = None  # the timers changed: ask again
            self.report.timer_runs += len(fired)
            for summary in fired:  # plan the tasks the timers opened, in the order they opened
                self._schedule(summary.opened_tasks)
            if not fired and self.engine.next_timer_due() == due:
                return  # a due timer that does not fire must not stall the simulation

    def _on_watch(self) -> None:
        self.report.norm_signals += len(norm_watch.signal_due(self.engine))

    def _on_start(self, process_id: str, number: int) -> None:
        profile, rng = self.profiles[process_id], self.streams[process_id]
        series = f"{profile.key_prefix}-{self.clock.now().year}"
        self.numbers_taken[series] = self._taken(series) + 1  # the series' next free number
        key = f"{series}-{self.numbers_taken[series]:04d}"
        summary = self.engine.start(
            process_id, profile.start_data(rng, number), business_key=key, actor=SYSTEM_ACTOR
        )
        self.report.started[process_id] += 1
        self.instance_profile[summary.id] = profile
        for plan in profile.messages:
            if rng.random() < plan.probability:
                self._push(plan.delay.after(rng, self.clock.now()), "message", summary.id, plan, 0)
        self._after_step(summary)

    def _taken(self, series: str) -> int:
        """The highest number of this series already in the database (a second simulation on
        the same database continues after it, so no case number is used twice)."""
        if series not in self.numbers_taken:
            with self.engine.reading() as conn:
                keys = conn.execute(
                    select(process_instance.c.business_key).where(
                        process_instance.c.business_key.like(f"{series}-%")
                    )
                ).scalars()
                numbers = [int(k.rsplit("-", 1)[1]) for k in keys if k.rsplit("-", 1)[1].isdigit()]
            self.numbers_taken[series] = max(numbers, default=0)
        return self.numbers_taken[series]

    def _on_complete(self, task: HumanTask) -> None:
        profile = self.instance_profile[task.instance_id]
        try:
            data = self.engine.task_data(task.id)  # what a person filling in the form sees
            plan = profile.tasks.get(task.bpmn_id, profile.default_task)
            summary = self.engine.complete_task(
                task.id,
                plan.answer(self.streams[profile.process_id], data),
                actor=self.holder.pop(task.id, None) or SYSTEM_ACTOR,
                claim=True,
            )
            self.report.tasks_completed += 1
        except ConflictError:
            return  # cancelled or completed meanwhile (e.g. by a boundary timer)
        self._after_step(summary)

    def _on_claim(self, task: HumanTask, who: str) -> None:
        try:
            self.engine.claim_task(task.id, who)
        except (ConflictError, EngineError):
            return  # closed meanwhile (a timer, a withdrawal): nothing to take

    def _on_message(self, instance_id: int, plan: MessagePlan, tries: int) -> None:
        with self.engine.statement_reads() as reads:
            found = reads.all(_STATUS, {"b_id": instance_id})
        if not found or found[0].status not in ("running", "waiting"):
            return
        try:
            summary = self.engine.send_message(
                plan.name, dict(plan.payload), instance_id=instance_id, actor=SYSTEM_ACTOR
            )
            self.report.messages_delivered += 1
            self._after_step(summary)
        except ConflictError:
            if tries < 10:  # not waiting for it yet: try again later
                self._push(
                    self.clock.now() + timedelta(days=1), "message", instance_id, plan, tries + 1
                )
        except EngineError:
            return

    def _after_step(self, summary: InstanceSummary) -> None:
        """Plan the tasks a step opened, and keep the timer bound below its case's next timer."""
        due = summary.next_timer_due
        if due is not None and self.earliest_timer is not None:
            self.earliest_timer = min(self.earliest_timer, due)
        self._schedule(summary.opened_tasks)
        if summary.status not in ("running", "waiting"):
            self._hand_over()

    def _hand_over(self) -> None:
        """Carry out the hand-overs a finished case asked for, as the background loop does;
        the new cases run on their process's profile."""
        for handed in handovers.run_due(self.engine):
            profile = self.profiles.get(handed.case.process_id)
            if profile is None:
                continue  # a process this simulation does not run: the case waits
            series, _, number = (handed.case.business_key or "").rpartition("-")
            if number.isdigit():  # the hand-over took a number of the series: skip it
                self.numbers_taken[series] = max(self._taken(series), int(number))
            self.report.started[handed.case.process_id] += 1
            self.report.handed_over[handed.case.process_id] += 1
            self.instance_profile[handed.case.id] = profile
            self._after_step(handed.case)

    def _schedule(self, tasks: Iterable[HumanTask]) -> None:
        """Plan the completion of each of these tasks not yet planned, in their order."""
        for task in tasks:
            if task.id in self.scheduled or task.instance_id not in self.instance_profile:
                continue
            self.scheduled.add(task.id)
            profile = self.instance_profile[task.instance_id]
            plan = profile.tasks.get(task.bpmn_id) or profile.default_task
            now = self.clock.now()
            done = plan.duration.after(self.streams[profile.process_id], now)
            self._push(done, "complete", task)
            if task.assignee:  # given to someone already (the case's casist)
                self.holder[task.id] = task.assignee
                continue
            if task.lane == INITIATOR_LANE:  # the initiator answers on the status page:
                self.holder[task.id] = INITIATOR_LANE  # no colleague holds it meanwhile
                continue
            person = self.staff.pick(self.claims, task.lane, task.group)
            if person is None:
                continue  # nobody may take it: the system completes it (a gap in the staff)
            self.holder[task.id] = person.username
            if self.claims.random() < CLAIMED_FIRST:
                moment = now + (done - now) * self.claims.betavariate(2, 3)
                self._push(moment, "claim", task, person.username)

    def _collect(self) -> None:
        ours = [
            i for i in self.engine.list_instances(limit=1_000_000) if i.id in self.instance_profile
        ]
        self.report.routes = route_figures(self.engine, ours)
        for instance in ours:
            self.report.statuses[(instance.process_id, instance.status)] += 1
            if instance.status == "errored":
                self.report.errored.append((instance.id, instance.last_error or ""))
            elif instance.status == "completed":
                values = self.engine.instance_values(instance.id, ("outcome",))
                outcome = values.get("outcome", "(geen)")
                self.report.outcomes[(instance.process_id, str(outcome))] += 1


_NEVER = datetime.max.replace(tzinfo=UTC)
#: how often the simulated background loop looks for passed norms
WATCH_EVERY = timedelta(days=1)


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months  # negative months go back
    year = moment.year + month // 12
    month = month % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, 28))
