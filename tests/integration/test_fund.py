"""The fund ledger on both databases: first come, first served by volgnummer, never above the
ceiling — also with 50 applications at the same moment."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from engine import Engine
from workflows import fund
from workflows.fund import FundError

#: also run with the plain paths instead of engine/fast (make test)
pytestmark = pytest.mark.plain

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CEILING = fund.to_cents(120_000)


def _open(engine: Engine, ceiling: int = CEILING, minimum: int = 100_000) -> None:
    with engine.transaction() as u:
        fund.open_period(
            u.connection,
            "2026",
            "Initiatievenfonds 2026",
            ceiling,
            NOW,
            minimum_grant_cents=minimum,
        )


def test_applications_are_numbered_and_refused_on_the_ceiling(engine: Engine) -> None:
    _open(engine, ceiling=fund.to_cents(10_000))
    with engine.transaction() as u:
        first = fund.apply(u.connection, "2026", "Z-1", fund.to_cents(6_000), NOW)
        second = fund.apply(u.connection, "2026", "Z-2", fund.to_cents(5_000), NOW)
        third = fund.apply(u.connection, "2026", "Z-3", fund.to_cents(4_000), NOW)
    assert [(e.volgnummer, e.outcome) for e in (first, second, third)] == [
        (1, "reserved"),
        (2, "refused_ceiling"),  # 5,000 > 4,000 left
        (3, "reserved"),  # a later, smaller application still fits: the ceiling is not yet reached
    ]
    with engine.transaction() as u:
        total = fund.summary(u.connection, "2026")
    assert (total.reserved, total.available, total.refused, total.applications) == (
        fund.to_cents(10_000),
        0,
        1,
        3,
    )
    assert total.exhausted


def test_partial_grant_only_above_the_minimum_when_allowed(engine: Engine) -> None:
    _open(engine, ceiling=fund.to_cents(5_000), minimum=fund.to_cents(1_000))
    with engine.transaction() as u:
        conn = u.connection
        fund.apply(conn, "2026", "Z-1", fund.to_cents(3_500), NOW)
        partial = fund.apply(conn, "2026", "Z-2", fund.to_cents(2_000), NOW, allow_partial=True)
        too_small = fund.apply(conn, "2026", "Z-3", fund.to_cents(2_000), NOW, allow_partial=True)
    assert (partial.outcome, partial.amount, partial.requested) == (
        "partial",
        fund.to_cents(1_500),
        fund.to_cents(2_000),
    )
    assert too_small.outcome == "refused_ceiling"  # nothing left


def test_applying_twice_for_one_initiative_reserves_once(engine: Engine) -> None:
    _open(engine)
    with engine.transaction() as u:
        a = fund.apply(u.connection, "2026", "Z-1", fund.to_cents(1_000), NOW)
        b = fund.apply(u.connection, "2026", "Z-1", fund.to_cents(1_000), NOW)
        total = fund.summary(u.connection, "2026")
    assert a == b
    assert total.reserved == fund.to_cents(1_000)


def test_commit_pay_and_release_move_money_between_states(engine: Engine) -> None:
    _open(engine)
    with engine.transaction() as u:
        conn = u.connection
        fund.apply(conn, "2026", "Z-1", fund.to_cents(8_000), NOW)
        fund.apply(conn, "2026", "Z-2", fund.to_cents(2_000), NOW)
        granted = fund.commit(conn, "2026", "Z-1", NOW, amount_cents=fund.to_cents(7_500))
        assert (granted.state, granted.amount) == ("committed", fund.to_cents(7_500))
        half = fund.pay(conn, "2026", "Z-1", NOW, amount_cents=fund.to_cents(3_000))
        assert (half.state, half.paid) == ("committed", fund.to_cents(3_000))
        assert fund.pay(conn, "2026", "Z-1", NOW).state == "paid"
        withdrawn = fund.release(conn, "2026", "Z-2", NOW, reason="ingetrokken")
        assert withdrawn is not None
        assert withdrawn.state == "released"
        assert fund.release(conn, "2026", "Z-2", NOW, reason="again") is None
        total = fund.summary(conn, "2026")
    assert (total.paid, total.reserved, total.committed) == (fund.to_cents(7_500), 0, 0)
    assert total.available == CEILING - fund.to_cents(7_500)


def test_a_settlement_frees_the_unspent_rest_and_names_what_to_reclaim(engine: Engine) -> None:
    _open(engine, ceiling=fund.to_cents(20_000))
    with engine.transaction() as u:
        c = u.connection
        for key in ("Z-1", "Z-2", "Z-3"):
            fund.apply(c, "2026", key, fund.to_cents(5_000), NOW)
            fund.commit(c, "2026", key, NOW)
        fund.pay(c, "2026", "Z-1", NOW)  # paid in advance, spent less
        fund.pay(c, "2026", "Z-2", NOW, fund.to_cents(2_000))  # an advance below the final
        lower = fund.settle(c, "2026", "Z-1", NOW, fund.to_cents(4_000))
        again = fund.settle(c, "2026", "Z-1", NOW, fund.to_cents(4_000))
        partly = fund.settle(c, "2026", "Z-2", NOW, fund.to_cents(3_000))
        nothing = fund.settle(c, "2026", "Z-3", NOW, 0)
        total = fund.summary(c, "2026")
    assert (lower.released, lower.to_reclaim, lower.entry.state, lower.entry.paid) == (
        fund.to_cents(1_000),
        fund.to_cents(1_000),
        "paid",
        fund.to_cents(4_000),
    )
    assert (again.released, again.to_reclaim) == (0, 0)  # settling again changes nothing
    # € 2.000 paid of € 3.000 settled: € 1.000 still to pay, nothing to reclaim
    assert (partly.released, partly.to_reclaim, partly.entry.state) == (
        fund.to_cents(2_000),
        0,
        "committed",
    )
    assert (nothing.released, nothing.entry.state) == (fund.to_cents(5_000), "released")
    assert total.available == fund.to_cents(20_000 - 4_000 - 3_000)
    # what went back to the fund: the unspent rests and the grant settled at nothing
    assert total.released == fund.to_cents(1_000 + 2_000 + 5_000)


def test_a_settlement_above_the_grant_or_without_a_grant_is_refused(engine: Engine) -> None:
    _open(engine)
    with engine.transaction() as u:
        fund.apply(u.connection, "2026", "Z-1", fund.to_cents(5_000), NOW)
    with pytest.raises(FundError, match="geen toekenning"), engine.transaction() as u:
        fund.settle(u.connection, "2026", "Z-1", NOW, fund.to_cents(5_000))
    with engine.transaction() as u:
        fund.commit(u.connection, "2026", "Z-1", NOW)
    with (
        pytest.raises(FundError, match="tussen € 0 en het toegekende bedrag"),
        engine.transaction() as u,
    ):
        fund.settle(u.connection, "2026", "Z-1", NOW, fund.to_cents(5_000.01))
    with engine.transaction() as u:
        assert fund.entry(u.connection, "2026", "Z-1").amount == fund.to_cents(5_000)


def test_rule_breaking_operations_get_a_dutch_message_and_change_nothing(engine: Engine) -> None:
    _open(engine)
    with engine.transaction() as u:
        fund.apply(u.connection, "2026", "Z-1", fund.to_cents(1_000), NOW)
    with pytest.raises(FundError, match="reservering"), engine.transaction() as u:
        fund.commit(u.connection, "2026", "Z-1", NOW, amount_cents=fund.to_cents(2_000))
    with pytest.raises(FundError, match="geen open toekenning"), engine.transaction() as u:
        fund.pay(u.connection, "2026", "Z-1", NOW)
    with pytest.raises(FundError, match="bestaat niet"), engine.transaction() as u:
        fund.apply(u.connection, "1999", "Z-9", 100, NOW)
    with pytest.raises(FundError, match="lager"), engine.transaction() as u:
        fund.set_ceiling(u.connection, "2026", fund.to_cents(500))
    with engine.transaction() as u:
        [only] = fund.entries(u.connection, "2026")
    assert (only.state, only.amount) == ("reserved", fund.to_cents(1_000))


@pytest.mark.parametrize(
    ("text", "cents"), [("1234,56", 123456), ("€ 1.5", 150), (20000, 2000000), ("0", 0)]
)
def test_amounts_become_whole_cents(text: object, cents: int) -> None:
    assert fund.to_cents(text) == cents


@pytest.mark.parametrize("bad", ["-1", "abc", "1,2,3", "nan"])
def test_bad_amounts_are_refused(bad: str) -> None:
    with pytest.raises(FundError):
        fund.to_cents(bad)


def test_fifty_concurrent_applications_never_exceed_the_ceiling_and_none_is_lost(
    make_engine: Callable[..., Engine],
) -> None:
    first = make_engine()
    _open(first)
    with first.transaction() as u:  # nearly exhausted: 5,000 of 120,000 left
        fund.apply(u.connection, "2026", "Z-EARLY", CEILING - fund.to_cents(5_000), NOW)
    engines = [make_engine() for _ in range(4)]  # several "server processes"
    rng = random.Random(2026)
    requests = [(f"Z-{i:03d}", fund.to_cents(rng.randint(100, 900))) for i in range(50)]
    barrier = threading.Barrier(len(requests))
    results: dict[str, fund.Entry] = {}
    failures: list[BaseException] = []
    lock = threading.Lock()

    def apply(index: int, key: str, cents: int) -> None:
        engine = engines[index % len(engines)]
        barrier.wait()
        try:
            with engine.transaction() as u:
                got = fund.apply(u.connection, "2026", key, cents, NOW)
            with lock:
                results[key] = got
        except BaseException as exc:  # recorded and asserted below
            with lock:
                failures.append(exc)

    threads = [threading.Thread(target=apply, args=(i, k, c)) for i, (k, c) in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert failures == []
    assert len(results) == 50  # no application lost

    with first.transaction() as u:
        total = fund.summary(u.connection, "2026")
        ledger = fund.entries(u.connection, "2026")
    assert total.reserved <= CEILING
    assert total.available >= 0
    assert [e.volgnummer for e in ledger] == list(range(1, 52))  # dense, unique, nothing lost
    # First come, first served: replaying the applications in volgnummer order reproduces
    # every outcome — no later application took budget an earlier one needed.
    available = fund.to_cents(5_000)
    for e in ledger[1:]:
        expected = "reserved" if e.requested <= available else "refused_ceiling"
        assert e.outcome == expected, (e.volgnummer, e.requested, available)
        if expected == "reserved":
            available -= e.requested
    assert available == total.available
    assert total.refused > 0  # the fund really ran out during the burst
