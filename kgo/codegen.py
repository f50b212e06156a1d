"""`kgo gen`: protos -> gen/python (messages, .pyi, gRPC stubs), the Envoy descriptor set, the
REST API's OpenAPI document (gen/openapi/kulturago.yaml, see kgo/openapi.py) and the
TypeScript SDK's generated code (sdk/typescript/src/gen, see kgo/sdk_typescript.py)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kgo import paths, sdk_typescript
from kgo.console import step
from kgo.toolchain import PROTOC_GEN_OPENAPI, PROTOVALIDATE_MODULE, buf, go_command, go_module_dir, venv_env


def _googleapis_root() -> Path:
    spec = importlib.util.find_spec("google.api.annotations_pb2")
    assert spec and spec.origin, "googleapis-common-protos is not installed"
    return Path(spec.origin).parent.parent  # .../site-packages/google -> parent of api/


def sync_protodeps() -> None:
    """Copy third-party protos into .dev/protodeps (a buf module, see buf.yaml)."""
    dest = paths.PROTODEPS
    google = _googleapis_root()
    for sub in ("api", "rpc"):
        target = dest / "google" / sub
        target.mkdir(parents=True, exist_ok=True)
        for proto in (google / sub).glob("*.proto"):
            shutil.copyfile(proto, target / proto.name)
    validate = dest / "buf" / "validate" / "validate.proto"
    if not validate.exists():
        module = go_module_dir(PROTOVALIDATE_MODULE)
        validate.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(module / "proto" / "protovalidate" / "buf" / "validate" / "validate.proto", validate)


def generate() -> None:
    sync_protodeps()
    out = paths.GEN_PYTHON
    for stale in ("kulturago", "buf"):
        shutil.rmtree(out / stale, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    env = venv_env()
    with step("buf generate (python + pyi)"):
        subprocess.run([str(buf()), "generate"], check=True, cwd=paths.ROOT, env=env)
    services = sorted(str(p.relative_to(paths.PROTO)) for p in paths.PROTO.rglob("*_service.proto"))
    with step("grpc stubs"):
        subprocess.run(
            [sys.executable, "-m", "grpc_tools.protoc", f"-I{paths.PROTO}", f"-I{paths.PROTODEPS}",
             f"--grpc_python_out={out}", *services],
            check=True, cwd=paths.ROOT,
        )
    build_descriptor(paths.DESCRIPTOR)
    generate_openapi(paths.OPENAPI)
    sdk_typescript.generate()


# The benchmark's echo service is no part of the product's API (nor of a cluster).
OPENAPI_EXCLUDED = ("proto/kulturago/bench",)


def generate_openapi(target: Path) -> None:
    """gen/openapi/kulturago.yaml: gnostic's protoc-gen-openapi over proto/, then
    kgo/openapi.py (in a fresh interpreter: it reads the stubs just generated)."""
    plugin = go_command(PROTOC_GEN_OPENAPI)
    with tempfile.TemporaryDirectory() as tmp, step("openapi"):
        template = {
            "version": "v2",
            # The plugin wants a Go package for each file, which our contracts do not name.
            "managed": {"enabled": True, "override": [
                {"file_option": "go_package_prefix", "value": "kulturago.invalid/go"}]},
            "plugins": [{"local": str(plugin), "out": tmp, "strategy": "all",
                         "opt": ["title=KulturaGo API", "version=v1", "enum_type=string", "default_response=false"]}],
            "inputs": [{"directory": "proto", "exclude_paths": list(OPENAPI_EXCLUDED)}],
        }
        subprocess.run([str(buf()), "generate", "--template", json.dumps(template)], check=True, cwd=paths.ROOT,
                       env=venv_env())
        subprocess.run([sys.executable, "-m", "kgo.openapi", str(Path(tmp) / "openapi.yaml"), str(target)],
                       check=True, cwd=paths.ROOT)


def build_descriptor(target: Path, *, workdir: Path | None = None) -> None:
    """The descriptor set Envoy transcodes with: our services plus google/api and google/rpc."""
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(buf()), "build", "--as-file-descriptor-set", "--exclude-source-info", "-o", str(target)],
        check=True, cwd=workdir or paths.ROOT, env=venv_env(),
    )


def lint() -> None:
    sync_protodeps()
    subprocess.run([str(buf()), "lint"], check=True, cwd=paths.ROOT, env=venv_env())


def breaking(against_ref: str) -> None:
    """Compare our contracts with those at git ref `against_ref` (a worktree build, so the
    third-party protos of .dev/protodeps are available to both sides)."""
    sync_protodeps()
    base = paths.DEV / "breaking-base"
    shutil.rmtree(base, ignore_errors=True)
    subprocess.run(["git", "worktree", "prune"], check=True, cwd=paths.ROOT)
    subprocess.run(["git", "worktree", "add", "--detach", "--force", str(base), against_ref],
                   check=True, cwd=paths.ROOT, capture_output=True)
    try:
        if not (base / "proto").exists():
            print(f"buf breaking: {against_ref} has no contracts yet; nothing to compare")
            return
        shutil.copytree(paths.PROTODEPS, base / ".dev" / "protodeps", dirs_exist_ok=True)
        against = paths.DEV / "breaking-base.binpb"
        subprocess.run([str(buf()), "build", "-o", str(against)], check=True, cwd=base, env=venv_env())
        # Both sides as single images: a workspace input has one image per module.
        current = paths.DEV / "breaking-current.binpb"
        subprocess.run([str(buf()), "build", "-o", str(current)], check=True, cwd=paths.ROOT, env=venv_env())
        result = subprocess.run([str(buf()), "breaking", str(current), "--against", str(against)],
                                cwd=paths.ROOT, env=venv_env())
        if result.returncode:
            raise SystemExit(f"buf breaking: the contracts above break compatibility with {against_ref}")
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=paths.ROOT,
                       capture_output=True)
