"""Every diagram in bpmn/ opens in bpmn-js (the viewer the case page, the heatmap and the modeler
are built on) without a single import warning — an unresolved reference or an element bpmn-js
does not know would show the process owner a warning in the modeler — and every element is
drawn. The sizes are printed: the complex diagram's top level does not yet fit one screen
(issue 17, "a diagram a process owner can read")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveServer
from workflows.bootstrap import BPMN_DIR

DIAGRAMS = sorted(BPMN_DIR.glob("*/*.bpmn"))


@pytest.mark.parametrize("path", DIAGRAMS, ids=[p.stem for p in DIAGRAMS])
def test_the_diagram_imports_in_bpmn_js_without_warnings(
    page: Any, live_server: LiveServer, path: Path
) -> None:
    page.goto(live_server.url("/inloggen"))  # any page of the app: the viewer is served by it
    page.add_script_tag(url="/vendor/bpmn-js/bpmn-viewer.production.min.js")
    page.set_viewport_size({"width": 1280, "height": 800})
    found = page.evaluate(
        """async (xml) => {
            const host = document.createElement('div');
            host.style.width = '1200px';
            host.style.height = '700px';
            document.body.appendChild(host);
            const viewer = new BpmnJS({container: host});
            const result = await viewer.importXML(xml);
            const box = viewer.get('canvas').viewbox().inner;
            const drawn = viewer.get('elementRegistry').getAll().length;
            return {warnings: result.warnings.map(w => w.message), width: box.width,
                    height: box.height, drawn};
        }""",
        path.read_text(encoding="utf-8"),
    )
    print(json.dumps({path.name: found}))  # the size of each diagram, for the note
    assert found["warnings"] == []
    assert found["drawn"] > 20
    assert found["width"] > 0
    assert found["height"] > 0
