"""Dordrecht's wijken by gebied, as in bpmn/shared/dmn_wijk_to_gebied.dmn."""

from __future__ import annotations

from collections.abc import Mapping

WIJKEN: Mapping[str, tuple[str, ...]] = {
    "Centrum": ("Binnenstad", "Noordflank", "Reeland", "Staart"),
    "Oost": ("Dubbeldam", "Stadspolders", "Sterrenburg"),
    "West": ("Krispijn", "Oud Krispijn", "Nieuw Krispijn", "Wielwijk", "Crabbehof", "Zuidhoven"),
}
ALL_WIJKEN: tuple[str, ...] = tuple(w for ws in WIJKEN.values() for w in ws)
GEBIED_OF: Mapping[str, str] = {w: gebied for gebied, ws in WIJKEN.items() for w in ws}
