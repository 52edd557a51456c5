"""Process definition files (BPMN, DMN, JSON form schemas): read, check, parse.

Uploads can be hostile. Our code parses every XML file itself — size cap, no DTD, no entities,
no network — before SpiffWorkflow sees it, and every problem found is reported with file,
element id and line in words a process owner understands.

| module | one job |
|---|---|
| `files` | files from disk or an upload, size caps, the bundle a deployment stores |
| `xml` | hostile-safe XML parsing, what kind of file it is, where an element is |
| `checks` | each check a file gets before deployment |
| `bundle` | `load_bundle` (all checks, then the library's parser), `parse_version_files`, `lane_names` |
"""

from engine.definitions.bundle import lane_names, load_bundle, parse_version_files
from engine.definitions.checks import PropertyCheck
from engine.definitions.files import (
    FORM_SUFFIXES,
    MAX_BUNDLE_BYTES,
    MAX_FILE_BYTES,
    MAX_FILES,
    XML_SUFFIXES,
    Bundle,
    SourceFile,
    read_paths,
)

__all__ = [
    "FORM_SUFFIXES",
    "MAX_BUNDLE_BYTES",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "XML_SUFFIXES",
    "Bundle",
    "PropertyCheck",
    "SourceFile",
    "lane_names",
    "load_bundle",
    "parse_version_files",
    "read_paths",
]
