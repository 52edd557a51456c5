"""Small builders for test diagrams that need no drawing."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

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
