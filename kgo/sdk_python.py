"""The Python SDK in sdk/python (`kulturago-sdk`): its wheel, and a fresh virtualenv with
it installed the way a developer would (from the wheel and PyPI only).

`nox -s sdk` and tests/e2e/test_sdk_python.py call `build()` / `fresh_venv()`, also as
`python -m kgo.sdk_python build|venv DIR`. The wheel carries gen/python's stubs as they
are (`nox -s gen` keeps them fresh) and sdk/VERSION as its version. The dependencies
are downloaded from PyPI once into a wheelhouse under .dev (keyed by what the SDK
requires), so making a fresh virtualenv afterwards needs no network.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

from kgo import paths
from kgo.console import step

SDK = paths.ROOT / "sdk" / "python"
VERSION_FILE = paths.ROOT / "sdk" / "VERSION"  # both SDKs' version, the API's major version first
DIST = paths.DEV / "dist"
WHEELHOUSES = paths.DEV / "cache" / "sdk-python-wheels"


def version() -> str:
    return VERSION_FILE.read_text().strip()


def build(out: Path = DIST) -> Path:
    """The wheel (hatchling, in-process: no download), into `out`; returns its path."""
    out.mkdir(parents=True, exist_ok=True)
    with step(f"building kulturago-sdk {version()} (wheel)"):
        for old in out.glob("kulturago_sdk-*.whl"):
            old.unlink()
        hook = "import sys, hatchling.build as b; print(b.build_wheel(sys.argv[1]))"  # PEP 517, cwd = project
        built = subprocess.run([sys.executable, "-c", hook, str(out)], cwd=SDK, check=True, capture_output=True,
                               text=True).stdout.split()[-1]
    return out / built


def requirements() -> list[str]:
    return list(tomllib.loads((SDK / "pyproject.toml").read_text())["project"]["dependencies"])


def wheelhouse() -> Path:
    """The SDK's dependencies as wheels for this interpreter, downloaded once."""
    key = hashlib.sha256(f"{sys.version_info[:2]}\n{sorted(requirements())}".encode()).hexdigest()[:16]
    house = WHEELHOUSES / key
    done = house / ".complete"
    if not done.exists():
        with step("downloading the Python SDK's dependencies (once)"):
            house.mkdir(parents=True, exist_ok=True)
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--only-binary", ":all:",
                            "--dest", str(house), *requirements()], check=True)
        done.touch()
    return house


def fresh_venv(directory: Path, wheel: Path) -> Path:
    """A new virtualenv in `directory` with the wheel installed from the wheelhouse alone
    (--no-index); returns its python."""
    venv.EnvBuilder(with_pip=True, clear=True).create(directory)
    python = directory / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(wheelhouse()),
                    str(wheel)], check=True)
    return python


def wheel_version(wheel: Path) -> str:
    found = re.match(r"kulturago_sdk-([^-]+)-", wheel.name)
    if not found:
        raise ValueError(f"not a kulturago-sdk wheel: {wheel}")
    return found.group(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kgo.sdk_python")
    parser.add_argument("command", choices=["build", "venv"])
    parser.add_argument("directory", nargs="?", help="venv: where to make the virtualenv")
    args = parser.parse_args(argv)
    wheel = build()
    if args.command == "build":
        print(wheel)
    else:
        if not args.directory:
            parser.error("venv needs a directory")
        print(fresh_venv(Path(args.directory), wheel))


if __name__ == "__main__":
    main()
