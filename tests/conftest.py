"""Autouse isolation for every test, plus the fake server fixtures and the invoke helper."""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["tests.fakes.fixtures"]

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@pytest.fixture(autouse=True)
def isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No MISTRAL_* or proxy variables, private dirs, cwd in tmp, no colour, loopback only,
    and Ctrl-C delivered."""
    for name in list(os.environ):
        if name.startswith("MISTRAL_") or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    for var, sub in (
        ("MISTRAL_CONFIG_DIR", "config"),
        ("MISTRAL_CACHE_DIR", "cache"),
        ("MISTRAL_DATA_DIR", "data"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setattr(socket.socket, "connect", _guarded(socket.socket.connect))
    # Ctrl-C raises KeyboardInterrupt, as in a foreground shell: pytest started in the
    # background of a script (`pytest &`, nohup, some CI runners) inherits SIGINT ignored
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _guarded(connect: Any) -> Any:
    def guarded_connect(self: socket.socket, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else address
        if self.family in (socket.AF_INET, socket.AF_INET6) and host not in LOOPBACK:
            raise OSError(f"test isolation: connection to {host!r} refused (loopback only)")
        return connect(self, address)

    return guarded_connect
