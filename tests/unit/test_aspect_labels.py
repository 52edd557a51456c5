"""How an aspect reads in the worklist: with its team, except the casist's own aspects."""

from __future__ import annotations

from workflows import labels


def test_an_aspect_reads_with_its_team_and_the_casists_own_without() -> None:
    assert labels.aspect({"code": "BELEIDSFIT", "team": "BELEID", "group": "BELEID"}) == (
        "Past in het beleid (team Beleid)"
    )
    own = {"code": "ORGANISATIE", "team": "CASIST", "lane": "casist", "assignee": "carla"}
    assert labels.aspect(own) == "Organisatiekracht"
    # an aspect from before the casist's lane (team only) keeps reading as it did
    assert labels.aspect({"code": "ORGANISATIE", "team": "CASIST"}) == (
        "Organisatiekracht (team Casist)"
    )
