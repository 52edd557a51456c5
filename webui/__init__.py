"""People's way in: the Flask app (`create_app` in webui/app.py, the only place that wires Flask
to the domain) and the `wegwijs` command line (webui/cli/).

`create_app` is imported when first asked for, so that the command line starts without loading
the web stack.
"""

from __future__ import annotations

from typing import Any

#: where an app keeps its engine (app.extensions)
ENGINE_KEY = "wegwijs_engine"


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from webui.app import create_app

        return create_app
    raise AttributeError(name)
