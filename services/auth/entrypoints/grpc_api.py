"""gRPC servicers: translate protobuf <-> use-case calls, nothing else."""

from __future__ import annotations

import json

import grpc
from google.api import httpbody_pb2

from kulturago.auth.v1 import auth_service_pb2 as pb
from kulturago.auth.v1 import auth_service_pb2_grpc as pb_grpc
from services.auth.domain.model import ProfileUpdate, User
from services.auth.service_layer.accounts import Accounts
from services.auth.service_layer.authentication import Authentication
from services.auth.service_layer.profiles import Profiles
from services.runtime.rpc import current_principal
from services.runtime.rpc.access import client_address
from services.runtime.timestamps import to_timestamp

# Replies carrying tokens must not be kept by browsers or proxies (RFC 6749 5.1). Envoy's
# transcoder turns initial metadata into HTTP response headers.
NO_STORE = (("cache-control", "no-store"), ("pragma", "no-cache"))


class AuthServicer(pb_grpc.AuthServiceServicer):
    def __init__(self, accounts: Accounts, authentication: Authentication, jwks: dict[str, object]) -> None:
        self._accounts = accounts
        self._authentication = authentication
        self._jwks = json.dumps(jwks).encode()

    async def SignUp(self, request: pb.SignUpRequest, context: grpc.aio.ServicerContext) -> pb.User:
        user = await self._accounts.sign_up(email=request.email, login=request.login,
                                            password=request.password, full_name=request.full_name)
        return pb.User(id=user.id, email=user.email, login=user.login, full_name=user.full_name,
                       create_time=to_timestamp(user.create_time))

    async def SignIn(self, request: pb.SignInRequest, context: grpc.aio.ServicerContext) -> pb.SignInResponse:
        pair = await self._authentication.sign_in(login=request.login, password=request.password,
                                                  client=client_address(context))
        await context.send_initial_metadata(NO_STORE)
        return pb.SignInResponse(access_token=pair.access_token, refresh_token=pair.refresh_token,
                                 expires_in=pair.expires_in, token_type=TOKEN_TYPE)

    async def Refresh(self, request: pb.RefreshRequest, context: grpc.aio.ServicerContext) -> pb.RefreshResponse:
        pair = await self._authentication.refresh(request.refresh_token)
        await context.send_initial_metadata(NO_STORE)
        return pb.RefreshResponse(access_token=pair.access_token, refresh_token=pair.refresh_token,
                                  expires_in=pair.expires_in, token_type=TOKEN_TYPE)

    async def Logout(self, request: pb.LogoutRequest, context: grpc.aio.ServicerContext) -> pb.LogoutResponse:
        principal = current_principal()
        await self._authentication.require_active_session(principal.session_id)
        await self._authentication.logout(principal.session_id)
        return pb.LogoutResponse()

    async def GetJwks(self, request: pb.GetJwksRequest, context: grpc.aio.ServicerContext) -> httpbody_pb2.HttpBody:
        return httpbody_pb2.HttpBody(content_type="application/json", data=self._jwks)


TOKEN_TYPE = "Bearer"


class ProfileServicer(pb_grpc.ProfileServiceServicer):
    def __init__(self, authentication: Authentication, profiles: Profiles) -> None:
        self._authentication = authentication
        self._profiles = profiles

    async def _me(self) -> User:
        principal = current_principal()
        return await self._profiles.get_own(principal.user_id, principal.session_id)

    def _profile(self, user: User) -> pb.Profile:
        return pb.Profile(
            id=user.id, email=user.email, login=user.login, full_name=user.full_name, phone=user.phone,
            city=user.city, birth_date=user.birth_date.isoformat() if user.birth_date else "",
            bio=user.bio, interests=list(user.interests), avatar=user.avatar,
            avatar_url=self._profiles.avatars.view_url(user.avatar),
            create_time=to_timestamp(user.create_time), update_time=to_timestamp(user.update_time),
        )

    async def GetMe(self, request: pb.GetMeRequest, context: grpc.aio.ServicerContext) -> pb.GetMeResponse:
        user = await self._me()
        return pb.GetMeResponse(id=user.id, login=user.login, full_name=user.full_name,
                                avatar_url=self._profiles.avatars.view_url(user.avatar))

    async def GetProfile(self, request: pb.GetProfileRequest, context: grpc.aio.ServicerContext) -> pb.Profile:
        return self._profile(await self._me())

    async def _update(self, request: pb.UpdateProfileRequest | pb.EditProfileRequest,
                      interests: tuple[str, ...] | None) -> pb.Profile:
        principal = current_principal()
        await self._authentication.require_active_session(principal.session_id)
        update = ProfileUpdate(
            full_name=request.full_name if request.HasField("full_name") else None,
            phone=request.phone if request.HasField("phone") else None,
            city=request.city if request.HasField("city") else None,
            birth_date=request.birth_date if request.HasField("birth_date") else None,
            bio=request.bio if request.HasField("bio") else None,
            interests=interests,
            avatar=request.avatar if request.HasField("avatar") else None,
        )
        user = await self._profiles.update(principal.user_id, update)
        return self._profile(user)

    async def UpdateProfile(self, request: pb.UpdateProfileRequest,
                            context: grpc.aio.ServicerContext) -> pb.Profile:
        # Validated by buf.validate (a list of 1..50-character strings).
        interests = tuple(v.string_value for v in request.interests.values) if request.HasField("interests") else None
        return await self._update(request, interests)

    async def EditProfile(self, request: pb.EditProfileRequest, context: grpc.aio.ServicerContext) -> pb.Profile:
        # Validated by buf.validate: absent, null, or a list of 1..50-character strings.
        given = request.interests if request.HasField("interests") else None
        interests = (tuple(v.string_value for v in given.list_value.values)
                     if given is not None and given.WhichOneof("kind") == "list_value" else None)
        return await self._update(request, interests)

    async def PresignAvatar(self, request: pb.PresignAvatarRequest,
                            context: grpc.aio.ServicerContext) -> pb.PresignAvatarResponse:
        principal = current_principal()
        await self._authentication.require_active_session(principal.session_id)
        avatar = await self._profiles.presign_avatar(principal.user_id, request.content_type)
        return pb.PresignAvatarResponse(object_key=avatar.object_key, **avatar.upload.reply_fields())
