"""The drawings of bpmn/ as a process owner reads them: no sequence flow runs through a shape
that is not its own end, no label sits on a shape or on another label, and the number of
crossing flows does not grow (the ceilings below; lower them as diagrams get tidier).

The geometry is read from each diagram's BPMN DI (the coordinates bpmn-js draws), so a label or
flow moved in the modeler is checked as drawn. Labels without their own bounds are placed by
bpmn-js and are not checked here.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree

from workflows.bootstrap import BPMN_DIR

DI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
WAYPOINT = "{http://www.omg.org/spec/DD/20100524/DI}waypoint"
MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"

#: crossing flows per diagram today (issue 17: none is the aim; phases as collapsed
#: subprocesses are not done yet) — a change that adds one fails here
CROSSINGS_AT_MOST = {
    "complex_initiative": 10,
    "simple_green_initiative_process": 9,
    "wijkwens_process": 4,
}

Box = tuple[float, float, float, float]  # x, y, width, height
Point = tuple[float, float]


@dataclass
class Drawing:
    shapes: dict[str, Box] = field(default_factory=dict)
    labels: dict[str, Box] = field(default_factory=dict)
    edges: dict[str, list[Point]] = field(default_factory=dict)
    ends: dict[str, tuple[str, str]] = field(default_factory=dict)
    containers: set[str] = field(default_factory=set)


def _bounds(element: etree._Element) -> Box | None:
    found = element.find(f"{{{DC}}}Bounds")
    if found is None:
        return None
    return tuple(float(found.get(k, 0)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def drawing(path: Path) -> Drawing:
    tree = etree.parse(str(path))
    kinds = {e.get("id"): etree.QName(e).localname for e in tree.iter() if e.get("id")}
    out = Drawing()
    for flow in tree.iter(f"{{{MODEL}}}sequenceFlow"):
        out.ends[flow.get("id", "")] = (flow.get("sourceRef", ""), flow.get("targetRef", ""))
    for shape in tree.iter(f"{{{DI}}}BPMNShape"):
        element = shape.get("bpmnElement", "")
        if kinds.get(element) in ("participant", "lane"):
            continue
        box = _bounds(shape)
        if box is not None:
            out.shapes[element] = box
        if kinds.get(element) == "subProcess":
            out.containers.add(element)
    for holder in [*tree.iter(f"{{{DI}}}BPMNShape"), *tree.iter(f"{{{DI}}}BPMNEdge")]:
        label = holder.find(f"{{{DI}}}BPMNLabel")
        box = _bounds(label) if label is not None else None
        if box is not None:
            out.labels[holder.get("bpmnElement", "")] = box
    for edge in tree.iter(f"{{{DI}}}BPMNEdge"):
        points = [(float(w.get("x", 0)), float(w.get("y", 0))) for w in edge.iter(WAYPOINT)]
        out.edges[edge.get("bpmnElement", "")] = points
    return out


def overlap(a: Box, b: Box, margin: float = 1) -> bool:
    return (
        a[0] < b[0] + b[2] - margin
        and b[0] < a[0] + a[2] - margin
        and a[1] < b[1] + b[3] - margin
        and b[1] < a[1] + a[3] - margin
    )


def _side(a: Point, b: Point, c: Point) -> int:
    value = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return (value > 1e-6) - (value < -1e-6)


def crosses(p: Point, q: Point, r: Point, s: Point) -> bool:
    """Whether segments pq and rs cross (touching at an end does not count)."""
    return _side(p, q, r) * _side(p, q, s) < 0 and _side(r, s, p) * _side(r, s, q) < 0


def through(p: Point, q: Point, box: Box, inset: float = 4) -> bool:
    """Whether segment pq runs through the inside of the box (Liang–Barsky clipping)."""
    x0, y0 = box[0] + inset, box[1] + inset
    x1, y1 = box[0] + box[2] - inset, box[1] + box[3] - inset
    if x1 <= x0 or y1 <= y0:
        return False
    low, high = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for step, room in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if step == 0:
            if room <= 0:
                return False
        elif step < 0:
            low = max(low, room / step)
        else:
            high = min(high, room / step)
    return high - low > 1e-9


def _segments(points: list[Point]) -> list[tuple[Point, Point]]:
    return list(itertools.pairwise(points))


def crossings(d: Drawing) -> list[tuple[str, str]]:
    names = sorted(d.edges)
    found = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if any(
                crosses(p, q, r, s)
                for p, q in _segments(d.edges[a])
                for r, s in _segments(d.edges[b])
            ):
                found.append((a, b))
    return found


def flows_through_shapes(d: Drawing) -> list[tuple[str, str]]:
    found = []
    for flow, points in sorted(d.edges.items()):
        own = set(d.ends.get(flow, ()))
        for element, box in sorted(d.shapes.items()):
            if element in own or element in d.containers:
                continue
            if any(through(p, q, box) for p, q in _segments(points)):
                found.append((flow, element))
    return found


def labels_on_things(d: Drawing) -> list[tuple[str, str]]:
    found = []
    for element, box in sorted(d.labels.items()):
        for other, shape in sorted(d.shapes.items()):
            if other != element and other not in d.containers and overlap(box, shape):
                found.append((element, other))
    labelled = sorted(d.labels.items())
    for i, (a, box) in enumerate(labelled):
        for b, beside in labelled[i + 1 :]:
            if overlap(box, beside):
                found.append((a, b))
    return found


DIAGRAMS = sorted(BPMN_DIR.glob("*/*.bpmn"))


@pytest.mark.parametrize("path", DIAGRAMS, ids=[p.stem for p in DIAGRAMS])
def test_no_flow_runs_through_a_shape_and_no_label_sits_on_another(path: Path) -> None:
    d = drawing(path)
    assert len(d.shapes) > 20
    assert len(d.edges) > 20
    assert flows_through_shapes(d) == []
    assert labels_on_things(d) == []


@pytest.mark.parametrize("path", DIAGRAMS, ids=[p.stem for p in DIAGRAMS])
def test_crossing_flows_do_not_grow(path: Path) -> None:
    found = crossings(drawing(path))
    assert len(found) <= CROSSINGS_AT_MOST[path.stem], found


def test_the_checks_see_what_a_person_sees() -> None:
    """The geometry itself: a flow through a task, a label on a gateway, two crossing flows."""
    task: Box = (100, 100, 100, 80)
    assert through((50, 140), (250, 140), task)  # straight through
    assert not through((50, 100), (250, 100), task)  # along its edge
    assert not through((50, 140), (100, 140), task)  # ending at it
    assert overlap((90, 90, 30, 20), task)
    assert not overlap((0, 0, 30, 20), task)
    assert crosses((0, 0), (10, 10), (0, 10), (10, 0))
    assert not crosses((0, 0), (10, 0), (10, 0), (10, 10))  # meeting at an end
    d = Drawing(
        shapes={"a": (0, 0, 10, 10), "b": (200, 0, 10, 10), "c": (100, 0, 20, 20)},
        edges={"f": [(10, 5), (200, 5)]},
        ends={"f": ("a", "b")},
        labels={"f": (105, 2, 10, 5)},
    )
    assert flows_through_shapes(d) == [("f", "c")]
    assert labels_on_things(d) == [("f", "c")]
