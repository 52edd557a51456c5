"""The tab counts of the worklist: exact up to the cap, then "99+" (counting stops there)."""

from __future__ import annotations

import pytest

from webui.worklist import _shown
from workflows.worklist import COUNT_CAP


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, "0"), (1, "1"), (COUNT_CAP - 1, str(COUNT_CAP - 1)), (COUNT_CAP, f"{COUNT_CAP - 1}+")],
)
def test_a_tab_count_is_exact_below_the_cap_and_capped_at_it(count: int, shown: str) -> None:
    assert _shown(count) == shown
