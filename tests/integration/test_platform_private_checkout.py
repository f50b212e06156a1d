"""A newcomer working as root clones into root's home (a 0700 folder): PostgreSQL, run
as `postgres`, cannot enter it. `kgo up` must still initialise and start it
(kgo/infra.py keeps its data where its user can reach it)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from kgo import provision, topology

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="PostgreSQL runs as another user only under root")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_postgres_initialises_and_serves_for_a_checkout_under_a_private_folder(tmp_path: Path) -> None:
    home = tmp_path / "root-home"
    home.mkdir(mode=0o700)
    dev = home / "kulturago" / ".dev"
    script = "from kgo import infra; infra.init_postgres(); print(infra.postgres_data_dir())"
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "KGO_DEV_DIR": str(dev)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    data = Path(done.stdout.strip().splitlines()[-1])
    server = None
    try:
        assert (data / "PG_VERSION").exists()
        assert (dev / "state" / "postgres").resolve() == data.resolve()
        assert not list(data.parent.glob("*initpw*")), "the initial password file must not be left behind"
        port = _free_port()
        server = subprocess.Popen(
            ["runuser", "-u", "postgres", "--", str(provision.POSTGRES_BIN / "postgres"), "-D", str(data),
             "-p", str(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
            cwd=data.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        password = (dev / "secrets" / "postgres-password").read_text().strip()
        url = f"postgresql://{topology.POSTGRES_USER}:{password}@127.0.0.1:{port}/postgres"
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(url, connect_timeout=2) as conn:
                    assert conn.execute("SELECT 1").fetchone() == (1,)
                break
            except psycopg.OperationalError:
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else "exited"
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        shutil.rmtree(data.parent, ignore_errors=True)
