"""Serve the browser assets from npm (node_modules), never from a CDN: bpmn-js's prebuilt
`dist/`, dmn-js's prebuilt `dist/`, and the modeler bundle esbuild made at `make`."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

ROOT = Path(__file__).resolve().parent.parent


def default_dist() -> Path:
    return ROOT / "node_modules" / "bpmn-js" / "dist"


def blueprint(dist: str) -> Blueprint:
    """The bpmn-js `dist/` folder as static files under /vendor/bpmn-js/."""
    return Blueprint("bpmnjs", __name__, static_folder=dist, static_url_path="/vendor/bpmn-js")


def modeler_blueprints(node_modules: Path | None = None) -> list[Blueprint]:
    """dmn-js's `dist/` under /vendor/dmn-js/ and the esbuild bundle under /vendor/wegwijs/."""
    base = node_modules or ROOT / "node_modules"
    return [
        Blueprint(
            "dmnjs",
            __name__,
            static_folder=str(base / "dmn-js" / "dist"),
            static_url_path="/vendor/dmn-js",
        ),
        Blueprint(
            "modelerjs",
            __name__,
            static_folder=str(base / ".wegwijs-build"),
            static_url_path="/vendor/wegwijs",
        ),
    ]
