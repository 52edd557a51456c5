"""Serve bpmn-js from the npm package (node_modules), never from a CDN."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

ROOT = Path(__file__).resolve().parent.parent


def default_dist() -> Path:
    return ROOT / "node_modules" / "bpmn-js" / "dist"


def blueprint(dist: str) -> Blueprint:
    """The bpmn-js `dist/` folder as static files under /vendor/bpmn-js/."""
    return Blueprint("bpmnjs", __name__, static_folder=dist, static_url_path="/vendor/bpmn-js")
