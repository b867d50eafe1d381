"""A full disk behind any output is exit 1 naming it, never an internal error."""

from __future__ import annotations

import errno
import io
import sys
from pathlib import Path

import httpx
import pytest

from mistral_cli.fsio import WriteFailed
from mistral_cli.output import Output
from tests.fakes.router import FakeMistral
from tests.support import invoke, make_context

FULL = Path("/dev/full")  # every write fails with ENOSPC
needs_dev_full = pytest.mark.skipif(not FULL.exists(), reason="no /dev/full here")


class FullStdout(io.StringIO):
    def write(self, s: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_stdout_on_a_full_disk_is_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", FullStdout())
    with pytest.raises(WriteFailed) as caught:
        Output().line("x")
    assert caught.value.exit_code == 1
    assert caught.value.message == "cannot write stdout: no space left on device"
    assert caught.value.hint == "free some space or choose another location"


@needs_dev_full
@pytest.mark.parametrize(
    "argv",
    [
        ["embed", "-m", "codestral-embed", "--output-dimension", "8", "-o", str(FULL), "a"],
        ["embed", "--format", "json", "-o", str(FULL), "a"],
    ],
)
def test_embed_to_a_full_device_is_exit_1_naming_it(
    fake: FakeMistral, fake_transport: httpx.MockTransport, argv: list[str]
) -> None:
    result = invoke(argv, make_context(fake_transport))
    assert result.exit_code == 1
    assert result.stderr == (
        "mistral: error: cannot write /dev/full: no space left on device\n"
        "hint: free some space or choose another location\n"
    )
