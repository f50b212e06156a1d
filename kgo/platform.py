"""`kgo up|down|status|logs|start|stop`: the whole platform on this machine."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kgo import api_docs, gateway, infra, paths, provision, supervisor, topology
from kgo.console import say, step
from kgo.supervisor import Program

INFRA = ("postgres", "redis", "kafka", "seaweedfs")


def service_env(svc: topology.Service) -> dict[str, str]:
    access, secret = provision.s3_credentials()
    env = {
        "PYTHONUNBUFFERED": "1",
        "KGO_SERVICE_NAME": svc.name,
        "KGO_GRPC_PORT": str(svc.grpc_port),
        "KGO_METRICS_PORT": str(svc.metrics_port),
        "KGO_REDIS_URL": provision.redis_url(),
        "KGO_GRPC_REFLECTION": "true",  # development only: grpcurl and friends
        "KGO_GATEWAY_SECRET": provision.gateway_secret(),
        "KGO_KAFKA_BOOTSTRAP": f"127.0.0.1:{topology.KAFKA_PORT}",
        "KGO_JWKS_FILE": str(paths.SECRETS / "jwks.json"),
        "KGO_JWT_PRIVATE_KEY_FILE": str(paths.SECRETS / "jwt-signing-key.pem"),
        "KGO_S3_ENDPOINT": f"http://127.0.0.1:{topology.S3_PORT}",
        "KGO_S3_ACCESS_KEY": access,
        "KGO_S3_SECRET_KEY": secret,
        "KGO_S3_BUCKET": topology.S3_BUCKET,
        "KGO_S3_VIEW_ENDPOINT": f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}{gateway.MEDIA_PREFIX}",
        "KGO_FAULTS_DIR": str(paths.FAULTS),  # development only: see services/runtime/faults.py
        **svc.env,
    }
    if svc.http_port is not None:
        env["KGO_HTTP_PORT"] = str(svc.http_port)
    if svc.database:
        env["KGO_DATABASE_URL"] = topology.database_url(svc.database, provision.postgres_password())
    for name in svc.providers:
        if any(box.name == name for box in topology.SANDBOXES):
            box = topology.sandbox(name)
            env[box.env_name("base_url")] = box.url
            env.update(_sandbox_credentials(box))
            env.update(box.shared_env)
            if box.tls:
                env[box.env_name("ca_file")] = str(paths.DEV_CERTIFICATE)
    return env


def _sandbox_credentials(box: topology.Sandbox) -> dict[str, str]:
    return {box.env_name(key): str(provision.sandbox_file(box.name, key, box.url)) if key.endswith("_file")
            else provision.sandbox_credential(box.name, key) for key in box.credentials}


def sandbox_env(box: topology.Sandbox) -> dict[str, str]:
    return {
        "PYTHONUNBUFFERED": "1",
        box.env_name("sandbox_port"): str(box.port),
        box.env_name("sandbox_state"): str(paths.STATE / f"{box.name}.sqlite3"),
        **_sandbox_credentials(box),
        **({box.env_name("sandbox_tls_cert"): str(paths.DEV_CERTIFICATE),
            box.env_name("sandbox_tls_key"): str(paths.DEV_CERTIFICATE_KEY)} if box.tls else {}),
        **box.shared_env,
        **box.env,
    }


def sandbox_program(box: topology.Sandbox) -> str:
    return f"{box.name}-sandbox"


def _programs(libs: Path, weed: Path) -> list[Program]:
    programs = [
        # Started in its data's folder: its user may not be able to enter the checkout.
        Program("postgres", infra.postgres_command(), user=infra.postgres_user(), stop_signal="INT",
                directory=str(infra.postgres_data_dir().parent)),
        Program("redis", infra.redis_command()),
        Program("kafka", infra.kafka_command(libs), stop_wait=30),
        Program("seaweedfs", infra.seaweedfs_command(weed), stop_wait=10),
    ]
    python = str(paths.VENV / "bin" / "python")
    programs += [Program(s.name, [python, "-m", f"services.{s.name}"], env=service_env(s))
                 for s in topology.SERVICES]
    programs += [Program(sandbox_program(b), [python, "-m", f"sandboxes.{b.name}"], env=sandbox_env(b))
                 for b in topology.SANDBOXES]
    programs.append(Program("envoy", [str(provision.envoy()), "-c", str(paths.RUN / "envoy.json"),
                                      "--log-level", "warn", "--base-id", str(topology.port(17))],
                            env={gateway.GATEWAY_SECRET_ENV: provision.gateway_secret()}))
    return programs


def _write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text() == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return True


def _code_stamp(svc: topology.Service) -> str:
    """Changes whenever the code a service runs changes: its package, the shared
    runtime, the generated stubs (and migrations), or its environment."""
    digest = hashlib.sha256(json.dumps(service_env(svc), sort_keys=True).encode())
    for root in (paths.ROOT / "services" / svc.name, paths.ROOT / "services" / "runtime", paths.GEN_PYTHON):
        for file in sorted(root.rglob("*")):
            if file.suffix in (".py", ".sql") and "__pycache__" not in file.parts:
                st = file.stat()
                digest.update(f"{file}:{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()


def _sandbox_stamp(box: topology.Sandbox) -> str:
    digest = hashlib.sha256(json.dumps(sandbox_env(box), sort_keys=True).encode())
    root = paths.ROOT / "sandboxes"
    for file in sorted([*root.glob("*.py"), *(root / box.name).rglob("*.py")]):  # its own code and the shared
        if "__pycache__" not in file.parts:
            st = file.stat()
            digest.update(f"{file}:{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()


def _log_tail(name: str, lines: int = 15) -> str:
    log = paths.LOGS / f"{name}.log"
    if not log.exists():
        return "  (no log yet)"
    tail = log.read_text(errors="replace").splitlines()[-lines:]
    return "\n".join(f"  | {line[:300]}" for line in tail)


def _wait(what: str, probe: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    last_error = "the probe answered 'not ready'"
    while True:
        try:
            if probe():
                return
            last_error = "the probe answered 'not ready'"
        except Exception as exc:
            last_error = f"{type(exc).__name__}: {exc}".strip()
        if time.monotonic() > deadline:
            raise SystemExit(
                f"kgo: {what} is not healthy after {timeout:.0f}s\n"
                f"  last probe: {last_error[:500]}\n"
                f"  last lines of .dev/logs/{what}.log:\n{_log_tail(what)}\n"
                f"  more: kgo logs {what}")
        time.sleep(0.3)


def _postgres_ready() -> bool:
    import psycopg

    with psycopg.connect(topology.database_url("postgres", provision.postgres_password()), connect_timeout=2):
        return True


def _redis_ready() -> bool:
    import redis

    return bool(redis.Redis.from_url(provision.redis_url(), socket_timeout=1).ping())


def _kafka_ready() -> bool:
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": f"127.0.0.1:{topology.KAFKA_PORT}", "log_level": 0})
    return bool(admin.list_topics(timeout=3).brokers)


def _s3_client() -> object:
    from minio import Minio

    access, secret = provision.s3_credentials()
    return Minio(f"127.0.0.1:{topology.S3_PORT}", access_key=access, secret_key=secret, secure=False,
                 region="us-east-1")


def _s3_ready() -> bool:
    client = _s3_client()
    client.list_buckets()  # type: ignore[attr-defined]
    return True


def _grpc_ready(svc: topology.Service) -> Callable[[], bool]:
    def probe() -> bool:
        import grpc
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        with grpc.insecure_channel(f"127.0.0.1:{svc.grpc_port}") as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
            return reply.status == health_pb2.HealthCheckResponse.SERVING
    return probe


def _sandbox_ready(box: topology.Sandbox) -> Callable[[], bool]:
    def probe() -> bool:
        import ssl

        import httpx

        verify = ssl.create_default_context(cafile=str(paths.DEV_CERTIFICATE)) if box.tls else True
        return httpx.get(f"{box.url}/sandbox/health", timeout=2, verify=verify).status_code == 200
    return probe


def _gateway_ready() -> bool:
    import httpx

    base = f"http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}"
    return (httpx.get(f"{base}/.well-known/jwks.json", timeout=2).status_code == 200
            and httpx.get(f"{base}/bench/echo", timeout=2).status_code == 200)


def _bootstrap_state() -> None:
    """Databases (one per service), the S3 bucket and the Kafka topics."""
    import psycopg
    from confluent_kafka.admin import AdminClient, NewTopic

    with psycopg.connect(topology.database_url("postgres", provision.postgres_password()), autocommit=True) as conn:
        existing = {r[0] for r in conn.execute("SELECT datname FROM pg_database")}
        for svc in topology.SERVICES:
            if svc.database and svc.database not in existing:
                conn.execute(f'CREATE DATABASE "{svc.database}"')
    client = _s3_client()
    if not client.bucket_exists(topology.S3_BUCKET):  # type: ignore[attr-defined]
        client.make_bucket(topology.S3_BUCKET)  # type: ignore[attr-defined]
    admin = AdminClient({"bootstrap.servers": f"127.0.0.1:{topology.KAFKA_PORT}", "log_level": 0})
    present = set(admin.list_topics(timeout=10).topics)
    wanted = [NewTopic(t, num_partitions=3, replication_factor=1) for t in topology.KAFKA_TOPICS if t not in present]
    for future in (admin.create_topics(wanted).values() if wanted else []):
        try:
            future.result()
        except Exception as exc:
            if "TOPIC_ALREADY_EXISTS" not in str(exc):
                raise


def up() -> None:
    started = time.monotonic()
    provision.debian_packages()
    libs = provision.kafka_libs()
    weed = provision.seaweedfs()
    provision.jwt_keys()
    provision.ticket_signing_key()
    provision.s3_credentials()
    cert, key = provision.dev_certificate()
    paths.RUN.mkdir(parents=True, exist_ok=True)
    paths.LOGS.mkdir(parents=True, exist_ok=True)
    infra.init_postgres()
    infra.kafka_properties()
    infra.format_kafka(libs)
    envoy_config = gateway.render(gateway.GatewayOptions(), jwks_file=str(paths.SECRETS / "jwks.json"),
                                  tls=(str(cert), str(key)))
    envoy_changed = _write_if_changed(paths.RUN / "envoy.json", json.dumps(envoy_config, indent=1))
    # /openapi.yaml and /docs: Envoy reads the files when it starts, so a new document restarts it.
    api_docs.export(api_docs.LOCAL_FOLDER)
    envoy_changed = _write_if_changed(paths.RUN / "api-docs.stamp", api_docs.digest(api_docs.LOCAL_FOLDER)) \
        or envoy_changed
    supervisor.ensure_started(supervisor.render(_programs(libs, weed)))

    with step("starting infrastructure"):
        for name in INFRA:
            supervisor.start(name)
        _wait("postgres", _postgres_ready)
        _wait("redis", _redis_ready)
        _wait("kafka", _kafka_ready)
        _wait("seaweedfs", _s3_ready)
        _bootstrap_state()

    migrate()
    restarted = []
    with step("starting provider sandboxes"):
        for box in topology.SANDBOXES:
            program, stamp = sandbox_program(box), _sandbox_stamp(box)
            stamp_file = paths.RUN / f"code-{program}.stamp"
            if not stamp_file.exists() or stamp_file.read_text() != stamp:
                supervisor.stop(program)
                say(f"restarted (code changed): {program}")
            supervisor.start(program)
            _wait(program, _sandbox_ready(box), timeout=30)
            stamp_file.write_text(stamp)
    with step("starting services"):
        stamps = {svc.name: _code_stamp(svc) for svc in topology.SERVICES}
        for svc in topology.SERVICES:
            stamp_file = paths.RUN / f"code-{svc.name}.stamp"
            if not stamp_file.exists() or stamp_file.read_text() != stamps[svc.name]:
                supervisor.stop(svc.name)  # only services whose code changed restart
                restarted.append(svc.name)
            supervisor.start(svc.name)
        for svc in topology.SERVICES:
            _wait(svc.name, _grpc_ready(svc), timeout=90)
            (paths.RUN / f"code-{svc.name}.stamp").write_text(stamps[svc.name])
    if restarted:
        say(f"restarted (code changed): {' '.join(restarted)}")

    with step("starting gateway"):
        if envoy_changed or restarted:
            supervisor.stop("envoy")
        supervisor.start("envoy")
        _wait("envoy", _gateway_ready, timeout=60)

    _seed_once()
    say(f"platform is up in {time.monotonic() - started:.0f}s")
    print(f"""
  gateway      http://127.0.0.1:{topology.GATEWAY_HTTP_PORT}
               https://127.0.0.1:{topology.GATEWAY_HTTPS_PORT} (dev certificate)
  envoy admin  http://127.0.0.1:{topology.ENVOY_ADMIN_PORT}
  postgres     127.0.0.1:{topology.POSTGRES_PORT} (user {topology.POSTGRES_USER})
               password in .dev/secrets/postgres-password
  redis        127.0.0.1:{topology.REDIS_PORT}
  kafka        127.0.0.1:{topology.KAFKA_PORT}
  s3           http://127.0.0.1:{topology.S3_PORT} (bucket {topology.S3_BUCKET})
  logs         kgo logs <name>   status: kgo status   stop: nox -s down
""")


def migrate() -> None:
    """Apply every service's migrations once (a deploy step; services only check)."""
    from services.runtime.db import migrate_sync, service_migrations

    password = provision.postgres_password()
    with step("migrating databases"):
        for svc in topology.SERVICES:
            if svc.database:
                applied = migrate_sync(topology.database_url(svc.database, password), service_migrations(svc.name))
                if applied:
                    say(f"{svc.name}: applied {' '.join(applied)}")


def _seed_once() -> None:
    marker = paths.STATE / "seeded"
    # The demo tours have a marker of their own: a platform seeded before gid-service existed gets them too.
    tours = paths.STATE / "seeded-tours"
    has_tours = any(s.name == "gid" for s in topology.SERVICES)
    if not marker.exists() and any(s.name == "event" for s in topology.SERVICES):
        from kgo.seed import seed

        seed()  # the demo tours with the rest, when gid-service is there
        marker.write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))
        if has_tours:
            tours.write_text(marker.read_text())
    if not tours.exists() and has_tours:
        from kgo.tours_cli import seed_tours

        seed_tours()
        tours.write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))


def down() -> None:
    if not supervisor.running():
        say("platform is not running")
        return
    with step("stopping the platform"):
        supervisor.shutdown()


def status() -> int:
    if not supervisor.running():
        print("platform is not running (start it with `nox -s up`)")
        return 1
    unhealthy = 0
    for info in supervisor.processes():
        print(f"{info['name']:<12} {info['statename']:<10} {info['description']}")
        unhealthy += info["statename"] != "RUNNING"
    return 1 if unhealthy else 0


def logs(name: str, *, follow: bool, lines: int) -> None:
    log = paths.LOGS / f"{name}.log"
    if not log.exists():
        known = sorted(p.stem for p in paths.LOGS.glob("*.log"))
        raise SystemExit(f"kgo: no log for {name!r}; known: {', '.join(known)}")
    os.execvp("tail", ["tail", f"-n{lines}", *(["-F"] if follow else []), str(log)])


def control(action: str, name: str) -> int:
    if not supervisor.running():
        print("platform is not running", file=sys.stderr)
        return 1
    (supervisor.start if action == "start" else supervisor.stop)(name)
    subprocess.run([sys.executable, "-m", "kgo", "status"], check=False)
    return 0
