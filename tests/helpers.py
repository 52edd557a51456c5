"""Small builders for test diagrams that need no drawing."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from engine import Engine

_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs_{pid}"
    targetNamespace="http://wegwijs.test">
  <bpmn:process id="{pid}" name="{pid}" isExecutable="true">
    <bpmn:startEvent id="start_event"><bpmn:outgoing>flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="run_script" name="Script"><bpmn:incoming>flow_1</bpmn:incoming>
      <bpmn:outgoing>flow_2</bpmn:outgoing><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end_event"><bpmn:incoming>flow_2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_1" sourceRef="start_event" targetRef="run_script" />
    <bpmn:sequenceFlow id="flow_2" sourceRef="run_script" targetRef="end_event" />
  </bpmn:process>
</bpmn:definitions>
"""


def script_process(folder: Path, process_id: str, script: str) -> Path:
    """Write a start → script task → end process and return its path."""
    path = folder / f"{process_id}.bpmn"
    path.write_text(_TEMPLATE.format(pid=process_id, script=escape(script)), encoding="utf-8")
    return path


_LINEAR = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="defs_{pid}" targetNamespace="http://wegwijs.test">
  <bpmn:process id="{pid}" name="{pid}" isExecutable="true">
    <bpmn:startEvent id="start_event" />
{nodes}
    <bpmn:endEvent id="end_event" />
{flows}
  </bpmn:process>
</bpmn:definitions>
"""


def linear_process(folder: Path, process_id: str, nodes: list[str]) -> Path:
    """Write start → nodes… → end; each node is one BPMN element's XML with an id attribute."""
    import itertools
    import re

    ids = ["start_event", *(re.search(r'id="([^"]+)"', n).group(1) for n in nodes), "end_event"]  # type: ignore[union-attr]
    flows = "\n".join(
        f'    <bpmn:sequenceFlow id="flow_{i}" sourceRef="{a}" targetRef="{b}" />'
        for i, (a, b) in enumerate(itertools.pairwise(ids))
    )
    path = folder / f"{process_id}.bpmn"
    path.write_text(
        _LINEAR.format(pid=process_id, nodes="\n".join(f"    {n}" for n in nodes), flows=flows),
        encoding="utf-8",
    )
    return path


_PARALLEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs_parallel"
    targetNamespace="http://wegwijs.test">
  <bpmn:process id="parallel_process" name="parallel_process" isExecutable="true">
    <bpmn:startEvent id="start_event" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:userTask id="branch_a" name="Tak A" />
    <bpmn:userTask id="branch_b" name="Tak B" />
    <bpmn:parallelGateway id="join" />
    <bpmn:userTask id="after_join" name="Daarna" />
    <bpmn:endEvent id="end_event" />
    <bpmn:sequenceFlow id="f1" sourceRef="start_event" targetRef="fork" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="branch_a" />
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="branch_b" />
    <bpmn:sequenceFlow id="f4" sourceRef="branch_a" targetRef="join" />
    <bpmn:sequenceFlow id="f5" sourceRef="branch_b" targetRef="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="after_join" />
    <bpmn:sequenceFlow id="f7" sourceRef="after_join" targetRef="end_event" />
  </bpmn:process>
</bpmn:definitions>
"""


def parallel_process(folder: Path) -> Path:
    """Write start → fork → (branch_a | branch_b) → join → after_join → end."""
    path = folder / "parallel_process.bpmn"
    path.write_text(_PARALLEL, encoding="utf-8")
    return path


def hold_meeting(engine: Engine, instance_id: int) -> str:
    """Let the regiegroep meet on a wish: move the engine's (manual) clock to the evening of the
    meeting the wish waits for and fire the timer, so the advice task opens. Returns the date."""
    from datetime import datetime, timedelta

    from workflows.operators import at_time

    meeting = str(engine.instance_values(instance_id, ("meeting_date",))["meeting_date"])
    moment = datetime.fromisoformat(at_time(meeting, "19:30")) + timedelta(minutes=1)
    clock = engine.clock
    if clock.now() < moment:
        clock.set(moment)  # type: ignore[attr-defined]
    engine.fire_due_timers()
    return meeting
