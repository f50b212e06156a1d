"""Where things live on a developer machine: everything local sits under .dev/."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = Path(os.environ.get("KGO_DEV_DIR", ROOT / ".dev"))

VENV = DEV / "venv"
BIN = DEV / "bin"  # built or downloaded executables (weed, buf shim)
DOWNLOADS = DEV / "downloads"
STATE = DEV / "state"  # databases, Kafka log dirs, S3 volumes
LOGS = DEV / "logs"
RUN = DEV / "run"  # supervisord config, socket, pid
FAULTS = RUN / "faults"  # fault injection: a file per failing point (services/runtime/faults.py)
SECRETS = DEV / "secrets"  # JWT signing key, JWKS, dev TLS certificate, S3 credentials
# Self-signed, for localhost and 127.0.0.1: the gateway's TLS listener and the TLS of sandboxes.
DEV_CERTIFICATE = SECRETS / "gateway.crt"
DEV_CERTIFICATE_KEY = SECRETS / "gateway.key"
PROTODEPS = DEV / "protodeps"

GEN_PYTHON = ROOT / "gen" / "python"
OPENAPI = ROOT / "gen" / "openapi" / "kulturago.yaml"  # the REST API (kgo/openapi.py)
PROTO = ROOT / "proto"
ENVOY_DIR = ROOT / "envoy"
DESCRIPTOR = ENVOY_DIR / "descriptor.binpb"
