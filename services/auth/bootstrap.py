"""Composition root of auth-service: settings -> adapters -> use cases -> servicers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import grpc

from kulturago.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from services.auth.adapters.avatars import AvatarStore
from services.auth.adapters.common_passwords import CommonPasswords
from services.auth.adapters.passwords import Argon2PasswordHasher
from services.auth.adapters.profile_cache import ProfileCache
from services.auth.adapters.sessions import SessionStore
from services.auth.adapters.sign_in_throttle import RedisSignInThrottle
from services.auth.adapters.signing_keys import SigningKey
from services.auth.adapters.unit_of_work import AuthUnitOfWork
from services.auth.config import AuthSettings
from services.auth.entrypoints.grpc_api import AuthServicer, ProfileServicer
from services.auth.service_layer.accounts import Accounts
from services.auth.service_layer.authentication import Authentication
from services.auth.service_layer.profiles import Profiles
from services.runtime.cache import open_redis
from services.runtime.db import open_pool, require_schema
from services.runtime.messaging.outbox import OutboxRelay
from services.runtime.object_storage import ObjectStorage
from services.runtime.rpc import ServiceApp
from services.runtime.rpc.policy import policy_for
from services.runtime.supervision import Worker

MIGRATIONS = Path(__file__).parent / "migrations"
_AUTH = auth_service_pb2.DESCRIPTOR.services_by_name["AuthService"].full_name
_PROFILE = auth_service_pb2.DESCRIPTOR.services_by_name["ProfileService"].full_name

# Who may call what is declared on each RPC in the .proto (kulturago.options.v1.access).
POLICY = policy_for(auth_service_pb2.DESCRIPTOR.services_by_name["AuthService"],
                    auth_service_pb2.DESCRIPTOR.services_by_name["ProfileService"])


async def build_app(settings: AuthSettings | None = None) -> ServiceApp:
    s = settings or AuthSettings()
    await require_schema(s.database_url, MIGRATIONS)
    pool = await open_pool(s.database_url)
    redis = open_redis(s.redis_url)
    storage = ObjectStorage(s.s3())
    signing_key = SigningKey.load(s.jwt_private_key_file)
    sessions = SessionStore(pool, redis, s.session_ttl_seconds)
    passwords = Argon2PasswordHasher()
    blocklist = CommonPasswords()
    blocklist.warm()

    def unit_of_work() -> AuthUnitOfWork:
        return AuthUnitOfWork(pool)

    accounts = Accounts(unit_of_work=unit_of_work, passwords=passwords, blocklist=blocklist)
    authentication = Authentication(
        unit_of_work=unit_of_work, passwords=passwords, sessions=sessions, tokens=signing_key,
        issuer=s.jwt_issuer, audience=s.jwt_audience, access_ttl=s.access_ttl_seconds,
        refresh_lifetime=timedelta(days=s.refresh_ttl_days),
        throttle=RedisSignInThrottle(redis, s.sign_in_throttling()),
    )
    profiles = Profiles(
        unit_of_work=unit_of_work, cache=ProfileCache(redis, s.profile_cache_ttl_seconds),
        avatars=AvatarStore(storage, redis, upload_ttl=s.avatar_upload_ttl_seconds,
                            pending_ttl=s.avatar_pending_ttl_seconds, view_ttl=s.avatar_view_ttl_seconds),
        sessions=sessions,
    )
    relay = OutboxRelay(pool, s.database_url, s.kafka_bootstrap, "auth-outbox")

    def register(server: grpc.aio.Server) -> None:
        auth_service_pb2_grpc.add_AuthServiceServicer_to_server(
            AuthServicer(accounts, authentication, signing_key.jwks()), server)
        auth_service_pb2_grpc.add_ProfileServiceServicer_to_server(ProfileServicer(authentication, profiles), server)

    async def close() -> None:
        await relay.close()
        await redis.aclose()
        await pool.close()

    return ServiceApp(
        settings=s, error_domain="auth.kulturago.ru", service_names=[_AUTH, _PROFILE],
        register=register, policy=POLICY, startup=[storage.ensure_bucket],
        workers=[Worker("auth-outbox-relay", relay.run)], shutdown=[close],
    )
