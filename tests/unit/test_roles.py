"""Who may take a task: the lane, the task's team, team leads and assignment (pure logic)."""

from __future__ import annotations

import pytest

from workflows.roles import may_act

NONE: frozenset[str] = frozenset()


@pytest.mark.parametrize(
    ("roles", "teams", "lane", "group", "assigned", "allowed"),
    [
        # a task without a team is for the whole lane
        ({"casist"}, NONE, "casist", None, False, True),
        ({"casist"}, NONE, "vakspecialist", None, False, False),
        # a task with a team: its members in the lane
        ({"vakspecialist"}, {"BELEID"}, "vakspecialist", "BELEID", False, True),
        ({"vakspecialist"}, {"BELEID"}, "vakspecialist", "STADSBEHEER", False, False),
        ({"vakspecialist"}, NONE, "vakspecialist", "BELEID", False, False),
        # membership of the team is not enough without the lane
        ({"casist"}, {"BELEID"}, "vakspecialist", "BELEID", False, False),
        # a team lead holding the lane sees every team; one who leads elsewhere does not
        ({"teamleider", "vakspecialist"}, NONE, "vakspecialist", "BELEID", False, True),
        ({"teamleider", "casist"}, NONE, "vakspecialist", "BELEID", False, False),
        # given to someone in the lane by a team lead: theirs, whatever their teams
        ({"vakspecialist"}, NONE, "vakspecialist", "BELEID", True, True),
        ({"casist"}, NONE, "vakspecialist", "BELEID", True, False),
        # the initiator's lane is done on their behalf by the casist or the team
        ({"casist"}, NONE, "initiatiefnemer", None, False, True),
        ({"vakspecialist"}, NONE, "initiatiefnemer", None, False, False),
        # a task outside any lane: anyone who works in a lane
        ({"budgethouder"}, NONE, None, None, False, True),
        ({"manager"}, NONE, None, None, False, False),
    ],
)
def test_may_act(
    roles: set[str],
    teams: frozenset[str],
    lane: str | None,
    group: str | None,
    assigned: bool,
    allowed: bool,
) -> None:
    assert may_act(frozenset(roles), frozenset(teams), lane, group, assigned=assigned) is allowed
