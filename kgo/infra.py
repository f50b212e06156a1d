"""Configuration files of the infrastructure processes (PostgreSQL, Kafka, SeaweedFS)."""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import subprocess
import uuid
from pathlib import Path

from kgo import paths, provision, topology
from kgo.console import say, step

KAFKA_DIR = paths.STATE / "kafka"
POSTGRES_DIR = paths.STATE / "postgres"
SEAWEED_DIR = paths.STATE / "seaweedfs"
REDIS_DIR = paths.STATE / "redis"


def postgres_user() -> str | None:
    """PostgreSQL refuses to run as root: as root we run it as the `postgres` user."""
    return "postgres" if os.geteuid() == 0 else None


# As root, PostgreSQL runs as `postgres`, which cannot enter a checkout under a private
# (0700) folder such as root's home. Rather than open the user's folders to it, its
# data lives in a directory of its own, one per checkout, linked from .dev/state/postgres.
SYSTEM_STATE = Path("/var/lib/kulturago")


def postgres_data_dir() -> Path:
    """Where PostgreSQL's data lives (the directory `postgres -D` gets)."""
    if postgres_user() is None or (POSTGRES_DIR.is_dir() and not POSTGRES_DIR.is_symlink()):
        return POSTGRES_DIR  # not root, or a data directory made here earlier: keep it
    checkout = hashlib.sha256(str(paths.DEV.resolve()).encode()).hexdigest()[:16]
    return SYSTEM_STATE / checkout / "postgres"


def init_postgres() -> None:
    data = postgres_data_dir()
    # The link is the mark that the cluster belongs to this .dev (and its password):
    # after `rm -rf .dev` a cluster left in SYSTEM_STATE is stale and made anew.
    if (data / "PG_VERSION").exists() and (data == POSTGRES_DIR or POSTGRES_DIR.is_symlink()):
        return
    with step("initialising PostgreSQL data directory"):
        user = postgres_user()
        owner = pwd.getpwnam(user) if user else None
        if data != POSTGRES_DIR:
            shutil.rmtree(data.parent, ignore_errors=True)
            data.parent.mkdir(parents=True, mode=0o700)
            POSTGRES_DIR.parent.mkdir(parents=True, exist_ok=True)
            if POSTGRES_DIR.is_symlink():
                POSTGRES_DIR.unlink()
            POSTGRES_DIR.symlink_to(data, target_is_directory=True)
            say(f"PostgreSQL data: {data} (owned by {user}, which cannot be assumed to enter "
                f"{paths.DEV}); linked from {POSTGRES_DIR}")
        data.mkdir(parents=True, exist_ok=True)
        # The initial password, in a file only the server's user can read, next to the data.
        pwfile = data.parent / f".{data.name}-initpw"
        pwfile.write_text(provision.postgres_password() + "\n")
        pwfile.chmod(0o600)
        if owner:
            for path in {data.parent, data, pwfile} if data != POSTGRES_DIR else {data, pwfile}:
                os.chown(path, owner.pw_uid, owner.pw_gid)
        cmd = [str(provision.POSTGRES_BIN / "initdb"), "-D", str(data), "-U", topology.POSTGRES_USER,
               f"--pwfile={pwfile}", "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"]
        try:
            subprocess.run(["runuser", "-u", user, "--", *cmd] if user else cmd, check=True,
                           stdout=subprocess.DEVNULL, cwd=data)
        finally:
            pwfile.unlink(missing_ok=True)


def postgres_command() -> list[str]:
    return [str(provision.POSTGRES_BIN / "postgres"), "-D", str(postgres_data_dir()),
            "-p", str(topology.POSTGRES_PORT), "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=", "-c", "max_connections=300",
            "-c", "shared_buffers=256MB", "-c", "fsync=on", "-c", "log_min_messages=warning"]


def redis_command() -> list[str]:
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    # The password goes in a private file, not the command line (which `ps` shows everyone).
    conf = paths.RUN / "redis.conf"
    provision.write_private(conf, f"requirepass {provision.redis_password()}\n")
    return ["/usr/bin/redis-server", str(conf), "--port", str(topology.REDIS_PORT), "--bind", "127.0.0.1",
            "--dir", str(REDIS_DIR), "--appendonly", "yes", "--save", "", "--protected-mode", "yes",
            "--loglevel", "warning"]


def kafka_properties() -> Path:
    conf = paths.RUN / "kafka.properties"
    conf.write_text("\n".join([
        "process.roles=broker,controller",
        "node.id=1",
        f"listeners=PLAINTEXT://127.0.0.1:{topology.KAFKA_PORT},CONTROLLER://127.0.0.1:{topology.KAFKA_CONTROLLER_PORT}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{topology.KAFKA_PORT}",
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        f"controller.quorum.bootstrap.servers=127.0.0.1:{topology.KAFKA_CONTROLLER_PORT}",
        "inter.broker.listener.name=PLAINTEXT",
        f"log.dirs={KAFKA_DIR}",
        "num.partitions=3",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "auto.create.topics.enable=true",
        "group.initial.rebalance.delay.ms=0",
        "log.retention.hours=168",
        "",
    ]))
    log4j = paths.RUN / "kafka-log4j2.properties"
    log4j.write_text("\n".join([
        "status = warn",
        "appender.stdout.type = Console",
        "appender.stdout.name = STDOUT",
        "appender.stdout.layout.type = PatternLayout",
        "appender.stdout.layout.pattern = [%d] %p %m (%c)%n",
        "rootLogger.level = WARN",
        "rootLogger.appenderRefs = stdout",
        "rootLogger.appenderRef.stdout.ref = STDOUT",
        "logger.kafka.name = kafka.server.KafkaServer",
        "logger.kafka.level = INFO",
        "",
    ]))
    return conf


def kafka_command(libs: Path) -> list[str]:
    java = shutil.which("java") or "java"
    return [java, "-Xms256m", "-Xmx768m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={paths.RUN / 'kafka-log4j2.properties'}",
            "-cp", f"{libs}/*", "kafka.Kafka", str(paths.RUN / "kafka.properties")]


def format_kafka(libs: Path) -> None:
    if (KAFKA_DIR / "meta.properties").exists():
        return
    with step("formatting Kafka KRaft storage"):
        KAFKA_DIR.mkdir(parents=True, exist_ok=True)
        java = shutil.which("java") or "java"
        subprocess.run(
            [java, f"-Dlog4j2.configurationFile={paths.RUN / 'kafka-log4j2.properties'}", "-cp", f"{libs}/*",
             "kafka.tools.StorageTool", "format", "--standalone", "-t", str(uuid.uuid4()),
             "-c", str(paths.RUN / "kafka.properties")],
            check=True, stdout=subprocess.DEVNULL,
        )


def seaweedfs_security() -> Path:
    """security.toml: the filer and the volume servers answer only requests signed with
    our key (the S3 gateway signs its own), so no local process can list, read, write or
    delete objects behind S3's credentials through their HTTP ports."""
    key = provision.seaweedfs_key()
    folder = paths.RUN / "seaweedfs"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    sections = ("jwt.signing", "jwt.signing.read", "jwt.filer_signing", "jwt.filer_signing.read")
    text = "".join(f'[{name}]\nkey = "{key}"\nexpires_after_seconds = 10\n\n' for name in sections)
    provision.write_private(folder / "security.toml", text)
    return folder


def seaweedfs_command(weed: Path) -> list[str]:
    SEAWEED_DIR.mkdir(parents=True, exist_ok=True)
    return [str(weed), f"-config_dir={seaweedfs_security()}", "server", f"-dir={SEAWEED_DIR}",
            "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={topology.SEAWEED_MASTER_PORT}", f"-volume.port={topology.SEAWEED_VOLUME_PORT}",
            f"-filer.port={topology.SEAWEED_FILER_PORT}", "-filer", "-s3",
            f"-s3.port={topology.S3_PORT}", f"-s3.config={paths.SECRETS / 's3.json'}",
            "-master.volumeSizeLimitMB=256", "-volume.max=0", "-master.telemetry=false",
            "-volume.preStopSeconds=0"]
