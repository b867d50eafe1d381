"""Shared helpers for the benchmarks: timed child processes, the fake server, the peer's venv.

Every figure is a median of several runs, with CPU time (user+sys of the child, from wait4)
beside wall time: the machine is shared, and CPU time moves less with other load.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

ROOT = Path(__file__).resolve().parent.parent
PEER_VENV = ROOT / "benchmarks" / ".venv-peer"
PEER_PACKAGES = ("llm", "llm-mistral")
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Run:
    """One child process: wall seconds, CPU seconds (user+sys), peak RSS in MB."""

    wall: float
    cpu: float
    rss_mb: float


@dataclass(frozen=True)
class Figure:
    """Medians over several runs."""

    wall: float
    cpu: float
    rss_mb: float
    runs: int


LAUNCHER = """
import os, resource, sys, time
report, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(argv[0], argv)
_, status = os.waitpid(pid, 0)
elapsed = time.perf_counter() - started
used = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(report, "w") as fh:
    fh.write(f"{elapsed} {used.ru_utime + used.ru_stime} {used.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_once(
    argv: Sequence[str],
    env: Mapping[str, str],
    *,
    stdin: Path | None = None,
    cwd: Path | None = None,
    check: bool = True,
) -> Run:
    """Run argv (stdout to /dev/null) under a small launcher that measures it alone.

    Measured straight from this (large) process, ru_maxrss would include this process's own
    RSS, inherited across fork/exec; the launcher is a fresh small interpreter.
    """
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "rusage"
        source = stdin.open("rb") if stdin is not None else None
        try:
            done = subprocess.run(
                [sys.executable, "-S", "-c", LAUNCHER, str(report), *argv],
                stdin=source or subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, env=dict(env), cwd=cwd, check=False,
            )  # fmt: skip
        finally:
            if source is not None:
                source.close()
        if check and done.returncode != 0:
            errors = done.stderr.decode(errors="replace")[-1500:]
            raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {errors}")
        wall, cpu, peak_kb = report.read_text().split()
    return Run(float(wall), float(cpu), int(peak_kb) / 1024)


def measure(
    argv: Sequence[str], env: Mapping[str, str], runs: int, *, warmup: int = 1, **kwargs: object
) -> Figure:
    """Medians of `runs` runs after `warmup` unmeasured ones (bytecode caches, disk cache)."""
    for _ in range(warmup):
        run_once(argv, env, **kwargs)  # type: ignore[arg-type]
    results = [run_once(argv, env, **kwargs) for _ in range(runs)]  # type: ignore[arg-type]
    return Figure(
        statistics.median(r.wall for r in results),
        statistics.median(r.cpu for r in results),
        statistics.median(r.rss_mb for r in results),
        runs,
    )


def mistral_exe() -> str:
    """The installed `mistral` next to this interpreter."""
    exe = Path(sys.executable).parent / "mistral"
    if not exe.exists():
        raise SystemExit("install the package first (pip install -e .)")
    return str(exe)


def cli_env(
    work: Path, base_url: str = "http://127.0.0.1:9", key: str = "sk-bench"
) -> dict[str, str]:
    """A from-scratch environment for `mistral`, every directory under `work`."""
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(work),
        "LANG": "C.UTF-8",
        "MISTRAL_API_KEY": key,
        "MISTRAL_BASE_URL": base_url,
        "MISTRAL_CONFIG_DIR": str(work / "config"),
        "MISTRAL_CACHE_DIR": str(work / "cache"),
        "MISTRAL_DATA_DIR": str(work / "data"),
    }


def peer_bin(name: str) -> Path:
    """A script of the peer's venv, creating the venv (pip install llm llm-mistral) first."""
    script = PEER_VENV / "bin" / name
    if not script.exists():
        print(f"creating {PEER_VENV} with {' '.join(PEER_PACKAGES)} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(PEER_VENV)], check=False)
        if not (PEER_VENV / "bin" / "pip").exists():
            subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        pip = [str(PEER_VENV / "bin" / "pip"), "install", "-q", *PEER_PACKAGES]
        subprocess.run(pip, check=True)
    return script


PEER_SITECUSTOMIZE = """
import os
url = os.environ.get("BENCH_MISTRAL_URL")
if url:
    from mistralai.client import sdk
    _init = sdk.Mistral.__init__
    def _patched(self, *args, **kwargs):
        kwargs["server_url"] = url
        _init(self, *args, **kwargs)
    sdk.Mistral.__init__ = _patched
"""


def peer_env(work: Path, base_url: str | None = None, key: str = "sk-bench") -> dict[str, str]:
    """Environment for the peer `llm`: its own user dir, the key, the server via sitecustomize."""
    site = work / "peer-site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "sitecustomize.py").write_text(PEER_SITECUSTOMIZE)
    env = {
        "PATH": f"{PEER_VENV / 'bin'}:/usr/bin:/bin",
        "HOME": str(work),
        "LANG": "C.UTF-8",
        "LLM_USER_PATH": str(work / "llm-user"),
        "LLM_MISTRAL_KEY": key,
        "PYTHONPATH": str(site),
    }
    if base_url:
        env["BENCH_MISTRAL_URL"] = base_url.removesuffix("/v1")
    return env


@contextmanager
def fake_server(*, validate: bool = True) -> Iterator[tuple[str, str, object]]:
    """The loopback fake server in this process: (base_url, api key, the FakeMistral)."""
    import tests.fakes  # noqa: F401  # registers every route
    from tests.fakes.router import FakeMistral
    from tests.fakes.server import FakeServer

    fake = FakeMistral()
    fake.validate = validate
    with FakeServer(fake) as server:
        yield server.base_url, fake.api_key, fake


@contextmanager
def workdir() -> Iterator[Path]:
    """A temporary directory for one benchmark's files."""
    with tempfile.TemporaryDirectory(prefix="mistral-bench-") as tmp:
        yield Path(tmp)


def load_average() -> str:
    """The 1/5/15-minute load averages, for the report."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def rss_growth_row(label: str, rss: list[float], target: float) -> tuple[str, str, str]:
    """Print the peak-RSS ratio of the larger size to the smaller; the run_all.py table row."""
    ratio = rss[1] / rss[0]
    print(f"  RSS ratio {ratio:.2f} [<= {target}] {verdict(ratio <= target)}")
    return (label, f"{rss[0]:.0f} → {rss[1]:.0f} MB ({ratio:.2f}x)", f"<= {target}x")
