"""The helpers diagrams' scripts and timer expressions may call (`workflows.operators`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine import ManualClock
from engine.clock import using
from workflows.operators import season_start

SEASONS = ["03-01/04-30", "10-01/11-30"]  # the green route's planting seasons


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 3, 1, 9, 0, tzinfo=UTC), "2026-03-01"),  # the first day counts
        (datetime(2026, 4, 30, 9, 0, tzinfo=UTC), "2026-04-30"),  # and the last
        (datetime(2026, 5, 1, 9, 0, tzinfo=UTC), "2026-10-01"),  # summer: the autumn season
        (datetime(2026, 12, 1, 9, 0, tzinfo=UTC), "2027-03-01"),  # over the new year
        (datetime(2026, 2, 28, 23, 30, tzinfo=UTC), "2026-03-01"),  # in Dordrecht: 1 March
    ],
)
def test_season_start_is_today_in_a_season_else_the_day_the_next_opens(
    now: datetime, expected: str
) -> None:
    with using(ManualClock(now)):
        assert season_start(SEASONS) == expected


def test_a_season_may_run_over_the_new_year_and_a_wrong_one_is_named() -> None:
    with using(ManualClock(datetime(2027, 1, 10, 9, 0, tzinfo=UTC))):
        assert season_start(["11-15/02-15"]) == "2027-01-10"
        assert season_start(["03-01/04-30"]) == "2027-03-01"
        with pytest.raises(ValueError, match="maand-dag/maand-dag"):
            season_start(["maart"])
        with pytest.raises(ValueError, match="minstens één seizoen"):
            season_start([])
