"""supervisord runs every process of the platform (infrastructure and services),
restarts crashed ones and keeps a log per process under .dev/logs/."""

from __future__ import annotations

import subprocess
import time
import xmlrpc.client
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kgo import paths, provision, topology

CONF = paths.RUN / "supervisord.conf"


@dataclass(frozen=True)
class Program:
    name: str
    command: Sequence[str]
    env: Mapping[str, str] = field(default_factory=dict)
    user: str | None = None
    directory: str = str(paths.ROOT)
    stop_signal: str = "TERM"
    stop_wait: int = 20


def _quote(value: str) -> str:
    return '"' + value.replace("%", "%%").replace('"', '\\"') + '"'


def _command(argv: Sequence[str]) -> str:
    # supervisord splits with shlex; % must be doubled for its own interpolation.
    import shlex

    return " ".join(shlex.quote(a) for a in argv).replace("%", "%%")


def render(programs: Iterable[Program]) -> str:
    lines = [
        # Its control port starts and stops everything: only with the generated credentials.
        "[inet_http_server]", f"port=127.0.0.1:{topology.SUPERVISOR_PORT}",
        "username=kgo", f"password={provision.supervisor_password()}", "",
        "[supervisord]", f"logfile={paths.LOGS / 'supervisord.log'}", f"pidfile={paths.RUN / 'supervisord.pid'}",
        f"directory={paths.ROOT}", "user=root" if _is_root() else "", "nodaemon=false", "", 
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface", "",
        "[supervisorctl]", f"serverurl=http://127.0.0.1:{topology.SUPERVISOR_PORT}",
        "username=kgo", f"password={provision.supervisor_password()}", "",
    ]
    for p in programs:
        lines += [
            f"[program:{p.name}]",
            f"command={_command(p.command)}",
            f"directory={p.directory}",
            "autostart=false", "autorestart=true", "startsecs=1", "startretries=10",
            f"stopsignal={p.stop_signal}", f"stopwaitsecs={p.stop_wait}", "stopasgroup=true", "killasgroup=true",
            "redirect_stderr=true", f"stdout_logfile={paths.LOGS / (p.name + '.log')}",
            "stdout_logfile_maxbytes=20MB", "stdout_logfile_backups=2",
        ]
        if p.user:
            lines.append(f"user={p.user}")
        if p.env:
            lines.append("environment=" + ",".join(f"{k}={_quote(v)}" for k, v in p.env.items()))
        lines.append("")
    return "\n".join(lines)


def _is_root() -> bool:
    import os

    return os.geteuid() == 0


def rpc() -> Any:
    url = f"http://kgo:{provision.supervisor_password()}@127.0.0.1:{topology.SUPERVISOR_PORT}/RPC2"
    return xmlrpc.client.ServerProxy(url).supervisor


def running() -> bool:
    try:
        return rpc().getState()["statename"] == "RUNNING"
    except (OSError, xmlrpc.client.Error):
        return False


def ensure_started(config: str) -> None:
    """Start supervisord with `config`, or apply a changed config to the running one."""
    paths.RUN.mkdir(parents=True, exist_ok=True)
    paths.LOGS.mkdir(parents=True, exist_ok=True)
    changed = not CONF.exists() or CONF.read_text() != config
    provision.write_private(CONF, config)  # it holds the services' secrets
    if not running():
        subprocess.run([str(paths.VENV / "bin" / "supervisord"), "-c", str(CONF)], check=True)
        deadline = time.monotonic() + 20
        while not running():
            if time.monotonic() > deadline:
                raise SystemExit("kgo: supervisord did not start; see .dev/logs/supervisord.log")
            time.sleep(0.2)
    elif changed:
        # Like `supervisorctl update`: re-read, then add/remove/restart changed programs.
        subprocess.run([str(paths.VENV / "bin" / "supervisorctl"), "-c", str(CONF), "update"],
                       check=True, stdout=subprocess.DEVNULL)


def start(name: str) -> None:
    try:
        rpc().startProcess(name, True)
    except xmlrpc.client.Fault as fault:
        if "ALREADY_STARTED" not in fault.faultString:
            raise SystemExit(f"kgo: {name} failed to start ({fault.faultString}); see `kgo logs {name}`") from None


def stop(name: str) -> None:
    try:
        rpc().stopProcess(name, True)
    except xmlrpc.client.Fault as fault:
        if "NOT_RUNNING" not in fault.faultString:
            raise


def restart(name: str) -> None:
    stop(name)
    start(name)


def processes() -> list[dict[str, Any]]:
    return list(rpc().getAllProcessInfo())


def shutdown() -> None:
    if running():
        for info in reversed(processes()):
            if info["statename"] == "RUNNING":
                stop(info["name"])
        rpc().shutdown()
