"""`wegwijs serve` and the WSGI entry start the real app on a real port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEGWIJS = Path(sys.executable).parent / "wegwijs"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own local server
        return response.status, response.read().decode()


def start_serve(
    cwd: Path, env: dict[str, str], port: int, output: int = subprocess.PIPE
) -> subprocess.Popen[str]:
    """`wegwijs serve` on this port, once its /healthz answers (its output on a pipe, or
    `subprocess.DEVNULL` when nobody reads it: a full pipe would stall the server)."""
    server = subprocess.Popen(
        [str(WEGWIJS), "serve", "--host", "127.0.0.1", "--port", str(port), "--threads", "2"],
        cwd=cwd,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if _get(f"http://127.0.0.1:{port}/healthz") == (200, "ok"):
                return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                printed = server.communicate(timeout=30)[0]
                pytest.fail(f"wegwijs serve did not come up:\n{printed}")
            time.sleep(0.3)


def test_wegwijs_serve_answers_on_the_given_port_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "WEGWIJS_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "WEGWIJS_SECRET_KEY": "serve-test",
    }
    server = start_serve(tmp_path, env, port)
    try:
        status, login = _get(f"http://127.0.0.1:{port}/inloggen")
        assert status == 200
        assert "Gebruikersnaam" in login
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as raw:
            assert raw.headers.get("Server") is None  # no banner naming the software
            assert raw.headers.get_all("Set-Cookie") is None  # a probe gets no session
        assert (tmp_path / "serve.db").exists()  # created and migrated on first use
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout:
            server.stdout.close()
    assert server.returncode == 0


def test_the_wsgi_entry_builds_the_app_from_the_environment(tmp_path: Path) -> None:
    code = (
        "from webui.wsgi import app; c = app.test_client(); r = c.get('/healthz'); "
        "print(r.status_code, r.data.decode())"
    )
    env = {
        **os.environ,
        "WEGWIJS_DATABASE_URL": f"sqlite:///{tmp_path / 'wsgi.db'}",
        "WEGWIJS_SECRET_KEY": "wsgi-test",
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "200 ok"
