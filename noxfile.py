"""Developer entry points: `nox -s up`, `nox -s tests`, `nox -s gen`, `nox -s lint`, ...

All sessions share one virtualenv in .dev/venv (the platform's services run from it
too), so nox itself never builds per-session environments: `_venv()` creates it once
and reinstalls only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
DEV = Path(os.environ.get("KGO_DEV_DIR", ROOT / ".dev"))
VENV = DEV / "venv"
PY = str(VENV / "bin" / "python")

nox.options.sessions = ["tests"]
nox.options.default_venv_backend = "none"


def _venv(session: nox.Session) -> None:
    stamp = VENV / ".kgo-installed"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == want:
        return
    if not (VENV / "bin" / "python").exists():
        session.log(f"creating {VENV}")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    session.run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip", external=True)
    session.run(PY, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev]", external=True)
    stamp.write_text(want)


def _kgo(session: nox.Session, *args: str) -> None:
    session.run(PY, "-m", "kgo", *args, external=True)


@nox.session
def up(session: nox.Session) -> None:
    """Provision what is missing, start everything, seed demo data, wait until healthy."""
    _venv(session)
    _kgo(session, "up", *session.posargs)


@nox.session
def down(session: nox.Session) -> None:
    """Stop every process of the platform (state stays in .dev/state)."""
    _venv(session)
    _kgo(session, "down")


@nox.session
def gen(session: nox.Session) -> None:
    """Regenerate gen/python, envoy/descriptor.binpb and sdk/typescript/src/gen from proto/."""
    _venv(session)
    _kgo(session, "gen")


@nox.session(name="gen-check")
def gen_check(session: nox.Session) -> None:
    """Fail when generated code (gen/, the Envoy descriptor, the TypeScript SDK's) is stale.

    The TypeScript SDK's package.json and lock carry sdk/VERSION, which `kgo gen` writes."""
    _venv(session)
    _kgo(session, "gen")
    generated = ("gen", "sdk/typescript/src/gen")
    session.run("git", "add", "--intent-to-add", *generated, external=True)
    session.run("git", "diff", "--exit-code", "--stat", "--", *generated, "envoy/descriptor.binpb",
                "sdk/typescript/package.json", "sdk/typescript/package-lock.json", external=True)


@nox.session
def sdk(session: nox.Session) -> None:
    """Build the SDKs: the Python wheel (sdk/python) into .dev/dist, TypeScript into
    sdk/typescript/dist (tsc, npm packages from its lock). Both are versioned by sdk/VERSION."""
    _venv(session)
    session.run(PY, "-m", "kgo.sdk_python", "build", external=True)
    session.run(PY, "-m", "kgo.sdk_typescript", "build", external=True)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff + buf lint + buf breaking against main (or BUF_BREAKING_AGAINST)."""
    _venv(session)
    session.run(PY, "-m", "ruff", "check", ".", external=True)
    _kgo(session, "buf", "lint")
    _kgo(session, "buf", "breaking", os.environ.get("BUF_BREAKING_AGAINST", "main"))


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy (strict on domain packages and on the Python SDK)."""
    _venv(session)
    session.run(PY, "-m", "mypy", "services", "kgo", "sandboxes", external=True)
    # The SDK as its users import it: its own package beside the generated stubs it ships.
    session.run(PY, "-m", "mypy", "--strict", "-p", "kulturago_sdk", external=True,
                env={"MYPYPATH": f"{ROOT / 'sdk' / 'python' / 'src'}:{ROOT / 'gen' / 'python'}"})


@nox.session
def unit(session: nox.Session) -> None:
    """The unit tier alone: pure tests with fakes of our own ports, no platform needed."""
    _venv(session)
    session.run(PY, "-m", "pytest", *(session.posargs or ["-q", "tests/unit"]), external=True)


@nox.session
def tests(session: nox.Session) -> None:
    """Unit, integration (real servers) and e2e (HTTP through Envoy) tests.

    Brings the platform up first (idempotent); extra arguments go to pytest.
    """
    _venv(session)
    _kgo(session, "up")
    session.run(PY, "-m", "pytest", *(session.posargs or ["-q"]), external=True)


@nox.session
def fuzz(session: nox.Session) -> None:
    """schemathesis against the running gateway: every REST operation, as a user and an admin.

    Brings the platform up first (idempotent); extra arguments go to `python -m kgo.fuzz`
    (`--max-examples N`, `--seed S`)."""
    _venv(session)
    _kgo(session, "up")
    session.run(PY, "-m", "kgo.fuzz", *session.posargs, external=True)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks through Envoy; writes bench/results/latest.{json,md}."""
    _venv(session)
    _kgo(session, "up")
    session.run(PY, "-m", "bench", *session.posargs, external=True)
