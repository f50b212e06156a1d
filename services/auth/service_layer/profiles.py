"""Use cases: read the profile (cache first), update it, presign an avatar upload."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from services.auth.domain.events import UserUpdated
from services.auth.domain.model import ProfileUpdate, User, apply_update, avatar_object_key
from services.auth.service_layer.ports import (
    ActiveSessions,
    AvatarStore,
    Clock,
    ProfileCache,
    UnitOfWorkFactory,
    utc_now,
)
from services.runtime.errors import InvalidArgument, NotFound
from services.runtime.uploads import PresignedUpload

DEFAULT_AVATAR_TYPE = "image/jpeg"


@dataclass(frozen=True, slots=True)
class AvatarUpload:
    object_key: str  # what the client saves as `avatar` once uploaded
    upload: PresignedUpload


@dataclass
class Profiles:
    unit_of_work: UnitOfWorkFactory
    cache: ProfileCache
    avatars: AvatarStore
    sessions: ActiveSessions
    clock: Clock = field(default=utc_now)

    async def get(self, user_id: str) -> User:
        cached = await self.cache.get(user_id)
        return cached if cached is not None else await self._load(user_id)

    async def get_own(self, user_id: str, session_id: str) -> User:
        """The caller's profile, after checking their session is open: one Redis round
        trip when both are cached (the hot path of /me and /profile)."""
        session_cached, cached = await self.cache.get_with_key(user_id, self.sessions.key(session_id))
        await self.sessions.require_active(session_id, cached=session_cached or None)
        return cached if cached is not None else await self._load(user_id)

    async def _load(self, user_id: str) -> User:
        async with self.unit_of_work() as uow:
            user = await uow.users.get(user_id)
        if user is None:
            raise NotFound("user not found", "USER_NOT_FOUND")
        await self.cache.put(user)
        return user

    async def _accept_avatar(self, user_id: str, object_key: str) -> str:
        """The saved name of the user's uploaded avatar `object_key`: their pending key,
        uploaded, an acceptable image (now at its final key), and the pending key used up."""
        unknown = InvalidArgument.on_field(
            "avatar", "unknown, used or expired avatar key: request a new one with /api/v1/avatar/presign",
            "AVATAR_KEY_UNKNOWN")
        if await self.avatars.pending(user_id) != object_key:
            raise unknown
        saved = await self.avatars.accept(object_key)
        if not await self.avatars.consume_pending(user_id, object_key):
            raise unknown  # a concurrent save used it
        return saved

    async def update(self, user_id: str, update: ProfileUpdate) -> User:
        """A partial update: absent fields keep their value; user.updated is published
        (with the names of the changed fields) only when something changed."""
        if update.avatar:
            update = replace(update, avatar=await self._accept_avatar(user_id, update.avatar))
        now = self.clock()
        async with self.unit_of_work() as uow:
            current = await uow.users.get(user_id, for_update=True)
            if current is None:
                raise NotFound("user not found", "USER_NOT_FOUND")
            change = apply_update(current, update, today=now.date(), now=now)
            if change.changed:
                await uow.users.save(change.user)
                await uow.stage(UserUpdated(change.user, tuple(change.changed)))
        await self.cache.put(change.user)
        return change.user

    async def presign_avatar(self, user_id: str, content_type: str = "") -> AvatarUpload:
        """How to upload a new avatar (`content_type`: image/jpeg, png or webp); its key
        waits, single use, for UpdateProfile(avatar=key)."""
        user = await self.get(user_id)
        now = self.clock()
        # Nanoseconds of the instant, as the key rule asks (microsecond resolution is plenty:
        # the key only has to differ from this user's previous ones).
        unix_nano = int(now.timestamp()) * 1_000_000_000 + now.microsecond * 1000
        key = avatar_object_key(user.email, user.login, unix_nano)
        upload = self.avatars.upload(key, content_type or DEFAULT_AVATAR_TYPE)
        await self.avatars.remember_pending(user_id, key)
        return AvatarUpload(key, replace(upload, expires=now + self.avatars.upload_ttl))
