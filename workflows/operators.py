"""What diagrams may call: service operators (in the instance's transaction) and script helpers,
and the norm rules the engine applies to user tasks (due dates, deploy-time checks).

Operators (service tasks, `spiffworkflow:serviceTaskOperator id="…"`), parameters are
expressions over the task data; amounts are in euros:

| operator | parameters | result |
|---|---|---|
| `notify` | `template`, `to` (optional; default the data's `initiator_email`), `items` (optional: lines the message lists, e.g. the initiator's contact details for a partner); `open_task` (optional: a user task's id — the message goes to whoever has this case's open tasks of it, each address once, and lists the tasks each has (title, aspect, due date): `to` is then an address or one per lane, `{"casist": …, "*": …}`, and `to_holder` sends a held task's message to its holder's own address) | `{"queued": bool, "outbox_id": n, "recipients": n}` |
| `hand_over` | `process` (the process that takes the case over; empty: none does), `template` (the mail to the initiator), `items` (optional, as for `notify`, when no process takes it over) | `{"handed_over": bool}` — with a process, a new case of it starts with this case's data and both are linked (`workflows.handovers`); without, the initiator gets the `template` mail |
| `fund_status` | – | `{"ceiling", "available", "exhausted"}` |
| every `fund_*` | `budget`, `budget_ceiling`, `budget_name` (optional) | works on that ledger (e.g. `"wijkwensen-Oost-2027"`) instead of the initiative fund; created on first use with that ceiling |
| `fund_apply` | `amount`, `allow_partial` (optional) | `{"volgnummer", "outcome", "amount", "available"}` — outcome reserved / partial / refused_ceiling |
| `fund_commit` | `amount` (optional: the reservation) | `{"amount", "state"}` |
| `fund_pay` | `amount` (optional: the rest) | `{"paid", "state"}` |
| `fund_release` | `reason` | `{"released": bool}` |
| `fund_settle` | `amount` (the final amount, at most the grant) | `{"settled", "released", "to_reclaim"}` — vaststelling: the unspent rest returns to the fund; paid beyond it is to be reclaimed |

The initiative's key in the fund is the instance's business key (zaaknummer).

Script helpers (in every script and expression): `due_in("10 werkdagen")` returns the ISO
moment that norm ends from now — for `timeDate` timers that count working days; `today()`
returns today's date as ISO text (`"2026-12-05"`); `add_days("2026-12-05", 28)` counts calendar
days on an ISO date (`"2027-01-02"`); `at_time("2027-01-12", "19:30")` is that moment in
Dordrecht as ISO text (for a `timeDate` timer on a meeting); `dutch_date("2027-01-12")` reads
`"12 januari 2027"` (for a mail's items); `season_start(["03-01/04-30", "10-01/11-30"])` is today
when today falls in one of the seasons (month-day to month-day, both included), else the day the
next one opens (for a `timeDate` timer that waits for the planting season).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import insert, select

from engine import Operator, ServiceCall, ServiceError, TaskDueInput, as_utc, current_time
from engine.readmodel import TASK_IS_OPEN, human_task, outbox
from workflows import fund, labels, norms
from workflows.tables import app_user


def _key(call: ServiceCall) -> str:
    return call.business_key or f"zaak-{call.instance_id}"


_INSERT_OUTBOX = insert(outbox)  # built once: many steps notify


def notify(call: ServiceCall, params: dict[str, Any]) -> dict[str, Any]:
    """Queue a message in the outbox, in the same transaction as the step that caused it."""
    template = params.get("template")
    if not template:
        raise ServiceError("notify: geef een 'template' op.")
    items = params.get("items") or []
    if not isinstance(items, list | tuple):
        raise ServiceError(f"notify '{template}': 'items' moet een lijst zijn.")
    open_task = params.get("open_task")
    if open_task:
        recipients = _recipients(call, str(open_task), params.get("to"), params.get("to_holder"))
    else:
        to = params.get("to") or call.data.get("initiator_email")
        if not to or not isinstance(to, str):
            raise ServiceError(
                f"notify '{template}': er is geen ontvanger ('to' of initiator_email)."
            )
        recipients = {to: []}
    outbox_id = None
    for to, tasks in recipients.items():
        payload: dict[str, Any] = {
            "template": str(template),
            "to": to,
            "zaaknummer": call.business_key,
            "task": call.task_bpmn_id,
        }
        lines = [*(item for item in items if item not in (None, "")), *tasks]
        if lines:
            payload["items"] = [str(line)[:500] for line in lines][:20]
        outbox_id = call.connection.execute(
            _INSERT_OUTBOX,
            {
                "instance_id": call.instance_id,
                "kind": "email",
                "payload": payload,
                "created_at": call.now,
            },
        ).inserted_primary_key
    return {
        "queued": bool(recipients),
        "outbox_id": int(outbox_id[0]) if outbox_id else None,
        "recipients": len(recipients),
    }


def _recipients(call: ServiceCall, bpmn_id: str, to: Any, to_holder: Any) -> dict[str, list[str]]:
    """Whom a message about the case's open `bpmn_id` tasks goes to, each address once, with
    the tasks it is about (title, what it is about, due date): the holder's own address when
    `to_holder` and the task is held by someone with one, else `to` (an address, or one per
    lane with "*" for the others); soonest due first, then by text. No open task: nobody."""
    if not isinstance(to, str | Mapping) or not to:
        raise ServiceError("notify: geef bij 'open_task' een 'to' op (adres, of adres per rol).")
    rows = call.connection.execute(
        select(
            human_task.c.lane,
            human_task.c.title,
            human_task.c.properties,
            human_task.c.due_at,
            app_user.c.email,
        )
        .outerjoin(app_user, app_user.c.username == human_task.c.assignee)
        .where(
            human_task.c.instance_id == call.instance_id,
            human_task.c.bpmn_id == bpmn_id,
            TASK_IS_OPEN,
        )
    )
    found: dict[str, list[tuple[datetime, str]]] = {}
    for lane, title, properties, due_at, holder_email in rows:
        if to_holder and holder_email:
            address = holder_email
        elif isinstance(to, str):
            address = to
        else:
            address = to.get(lane or "") or to.get("*")
        if address:
            line = _task_line(title, properties, due_at)
            found.setdefault(str(address), []).append(
                (_NO_DUE if due_at is None else as_utc(due_at), line)
            )
    # parallel tasks share their due date and are created in one step: their text decides,
    # so every message lists them in the same order
    return {address: [line for _, line in sorted(items)] for address, items in found.items()}


_NO_DUE = datetime.max.replace(tzinfo=UTC)  # a task without a due date comes last


def _task_line(title: str, properties: Any, due_at: datetime | None) -> str:
    """One task a message is about: "Aspect beoordelen: Verkeer (VERKEER), uiterlijk 14
    januari 2027"."""
    about = labels.context((properties or {}).get("context_values"))
    line = f"{title}: {about}" if about else str(title)
    if due_at is not None:
        local = as_utc(due_at).astimezone(ZoneInfo(norms.DEFAULT_TZ)).date()
        line += f", uiterlijk {format_date(local, 'd MMMM y', locale='nl')}"
    return line


def hand_over(call: ServiceCall, params: dict[str, Any]) -> dict[str, Any]:
    """Hand the case over to a new case of another process: written to the outbox in this
    step's transaction (kind `handover`), carried out once by the background loop, which
    starts the new case, links both and tells the initiator with the new number. Without a
    process (nobody here takes it over), the initiator is told by the `template` mail."""
    process = params.get("process")
    template = params.get("template")
    if not template:
        raise ServiceError(
            "hand_over: geef een 'template' op (het bericht aan de initiatiefnemer)."
        )
    if not process:
        notify(call, {"template": template, "items": params.get("items")})
        return {"handed_over": False}
    call.connection.execute(
        _INSERT_OUTBOX,
        {
            "instance_id": call.instance_id,
            "kind": "handover",
            "payload": {
                "process": str(process),
                "template": str(template),
                "zaaknummer": call.business_key,
                "task": call.task_bpmn_id,
            },
            "created_at": call.now,
        },
    )
    return {"handed_over": True}


def _optional_cents(params: dict[str, Any]) -> int | None:
    """The optional `amount` parameter (euros) in cents; None means "the whole amount"."""
    amount = params.get("amount")
    return None if amount is None else fund.to_cents(amount)


def _money(cents: int) -> float:
    return cents / 100


def fund_operators(period: str) -> dict[str, Operator]:
    """The fund operators for one fund period; with a `budget` parameter they work on that
    ledger instead (e.g. a gebied's wijkwensen budget of one year), created on first use with
    `budget_ceiling` (euros) and `budget_name`."""

    def ledger(call: ServiceCall, params: dict[str, Any]) -> str:
        code = params.get("budget")
        if not code:
            return period
        code = str(code)[:40]
        if params.get("budget_ceiling") is None:
            raise ServiceError(f"budget '{code}': geef het plafond op ('budget_ceiling').")
        fund.ensure_period(
            call.connection,
            code,
            str(params.get("budget_name") or code)[:200],
            fund.to_cents(params["budget_ceiling"]),
            call.now,
        )
        return code

    def status(call: ServiceCall, params: dict[str, Any]) -> dict[str, Any]:
        total = fund.summary(call.connection, ledger(call, params))
        return {
            "ceiling": _money(total.ceiling),
            "available": _money(total.available),
            "exhausted": total.exhausted,
        }

    def apply(call: ServiceCall, params: dict[str, Any]) -> dict[str, Any]:
        code = ledger(call, params)
        got = fund.apply(
            call.connection,
            code,
            _key(call),
            fund.to_cents(params.get("amount")),
            call.now,
            allow_partial=bool(params.get("allow_partial", False)),
        )
        left = fund.summary(call.connection, code).available
        return {
            "volgnummer": got.volgnummer,
            "outcome": got.outcome,
            "amount": _money(got.amount),
            "available": _money(left),
        }

    def commit(call: ServiceCall, params: dict[str, Any]) -> dict[str, Any]:
        got = fund.commit(
            call.connection, ledger(call, params), _key(call), call.now, _optional_cents(params)
        )
        return {"amount": _money(got.amount), "state": got.state}

    def pay(call: ServiceCall, params: dict[str, Any]) -> dict[str, Any]:
        got = fund.pay(
            call.connection, ledger(call, params), _key(call), call.now, _optional_cents(params)
        )
        return {"paid": _money(got.paid), "state": got.state}

    def release(call: ServiceCall, params: dict[str, Any]) -> dict[str, Any]:
        got = fund.release(
            call.connection,
            ledger(call, params),
            _key(call),
            call.now,
            str(params.get("reason") or "vrijgegeven"),
        )
        return {"released": got is not None}

    def settle(call: ServiceCall, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("amount") is None:
            raise ServiceError("fund_settle: geef het vastgestelde bedrag op ('amount').")
        got = fund.settle(
            call.connection,
            ledger(call, params),
            _key(call),
            call.now,
            fund.to_cents(params["amount"]),
        )
        return {
            "settled": _money(got.entry.amount),
            "released": _money(got.released),
            "to_reclaim": _money(got.to_reclaim),
        }

    return {
        "fund_status": status,
        "fund_apply": apply,
        "fund_commit": commit,
        "fund_pay": pay,
        "fund_release": release,
        "fund_settle": settle,
    }


def operators(fund_period: str) -> dict[str, Operator]:
    """Every operator a diagram may call."""
    return {"notify": notify, "hand_over": hand_over, **fund_operators(fund_period)}


def due_in(norm_text: str) -> str:
    """Script helper: the ISO moment a norm ends, counted from now (the engine's clock)."""
    return norms.due_at(current_time(), norms.parse_norm(norm_text)).isoformat()


def today() -> str:
    """Script helper: today's date (the engine's clock, Dutch time) as ISO text, e.g. to compare
    with a scheme's end date."""
    return current_time().astimezone(ZoneInfo(norms.DEFAULT_TZ)).date().isoformat()


def add_days(iso_date: str, days: int) -> str:
    """Script helper: the ISO date `days` calendar days after `iso_date` (a date or moment)."""
    return (date.fromisoformat(str(iso_date)[:10]) + timedelta(days=int(days))).isoformat()


def at_time(iso_date: str, hour_minute: str) -> str:
    """Script helper: that day at that time in Dordrecht, as an ISO moment."""
    moment = datetime.combine(
        date.fromisoformat(str(iso_date)[:10]), time.fromisoformat(hour_minute)
    )
    return moment.replace(tzinfo=ZoneInfo(norms.DEFAULT_TZ)).isoformat()


def dutch_date(iso_date: str) -> str:
    """Script helper: an ISO date as Dutch text, e.g. "12 januari 2027"."""
    return format_date(date.fromisoformat(str(iso_date)[:10]), "d MMMM y", locale="nl")


def season_start(seasons: Sequence[str]) -> str:
    """Script helper: today (ISO date) when it falls in one of the seasons, given as
    "month-day/month-day" with both days included ("10-01/11-30"; "11-15/02-15" runs over the
    new year); else the day the next season opens."""
    day = date.fromisoformat(today())
    opens = []
    for season in seasons:
        first, _, last = str(season).partition("/")
        try:
            begin, end = (date.fromisoformat(f"{day.year}-{md.strip()}") for md in (first, last))
        except ValueError:
            raise ValueError(
                f'season_start: "{season}" is geen seizoen; schrijf maand-dag/maand-dag, '
                'bijvoorbeeld "03-01/04-30".'
            ) from None
        within = begin <= day <= end if begin <= end else (day >= begin or day <= end)
        if within:
            return day.isoformat()
        opens.append(begin if begin > day else begin.replace(year=day.year + 1))
    if not opens:
        raise ValueError("season_start: geef minstens één seizoen op.")
    return min(opens).isoformat()


SCRIPT_HELPERS: Mapping[str, Any] = {
    "due_in": due_in,
    "today": today,
    "add_days": add_days,
    "at_time": at_time,
    "dutch_date": dutch_date,
    "season_start": season_start,
}


def task_due(task: TaskDueInput) -> datetime | None:
    """Due date of a new user task from its `norm` property (None when it has none)."""
    text = task.properties.get("norm")
    if not text:
        return None
    return norms.due_at(task.created_at, norms.parse_norm(str(text)))


def check_norm(value: str) -> str | None:
    """Deploy-time check of a `norm` property."""
    try:
        norms.parse_norm(value)
    except norms.NormError as exc:
        return str(exc)
    return None
