"""auth-service settings (environment, prefix KGO_)."""

from __future__ import annotations

from services.auth.domain.sign_in_throttling import Backoff, SignInThrottling
from services.runtime.object_storage import S3Fields
from services.runtime.settings import ServiceSettings


class AuthSettings(ServiceSettings, S3Fields):
    service_name: str = "auth"
    jwt_private_key_file: str = ""  # PEM (Ed25519 or P-256); kid = RFC 7638 thumbprint
    access_ttl_seconds: int = 900
    refresh_ttl_days: int = 30
    # Redis session:{sid}, refreshed on every rotation; outlives the access token it is set
    # with (plus verification leeway), since privileged calls anywhere require it.
    session_ttl_seconds: int = 930
    profile_cache_ttl_seconds: int = 900
    avatar_upload_ttl_seconds: int = 900  # presigned PUT URL
    avatar_pending_ttl_seconds: int = 600  # pending:{uid} in Redis
    avatar_view_ttl_seconds: int = 3600  # presigned GET URL in profiles

    # Brute-force protection of sign-in (services/auth/domain/sign_in_throttling.py): free
    # failures, then waits of 1, 2, 4 ... s up to the cap; forgotten a window after the last.
    signin_account_free_failures: int = 10
    signin_client_free_failures: int = 5
    signin_max_wait_seconds: int = 300  # no one is held back longer than this at a time
    signin_account_window_seconds: int = 3600
    signin_client_window_seconds: int = 86400

    def sign_in_throttling(self) -> SignInThrottling:
        return SignInThrottling(
            account=Backoff(self.signin_account_free_failures, self.signin_max_wait_seconds,
                            self.signin_account_window_seconds),
            client=Backoff(self.signin_client_free_failures, self.signin_max_wait_seconds,
                           self.signin_client_window_seconds))
