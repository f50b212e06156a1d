"""gRPC servicer of GamificationService: protobuf <-> use cases."""

from __future__ import annotations

import grpc

from kulturago.gamification.v1 import gamification_service_pb2 as pb
from kulturago.gamification.v1 import gamification_service_pb2_grpc as pb_grpc
from services.gamification.domain.badges import BADGES_BY_ID
from services.gamification.service_layer.leaderboards import Entry, LeaderboardReader, Projector
from services.gamification.service_layer.players import Players
from services.gamification.service_layer.ports import Follow
from services.runtime.rpc import current_principal
from services.runtime.timestamps import to_timestamp


def _entry(e: Entry) -> pb.LeaderboardEntry:
    return pb.LeaderboardEntry(rank=e.rank, user_id=e.user_id, xp=e.xp, login=e.user.login if e.user else "",
                               full_name=e.user.full_name if e.user else "")


def _friend(f: Follow) -> pb.Friend:
    return pb.Friend(user_id=f.user.user_id, login=f.user.login, full_name=f.user.full_name, xp=f.xp,
                     level=f.level, follow_time=to_timestamp(f.follow_time))


class GamificationServicer(pb_grpc.GamificationServiceServicer):
    def __init__(self, players: Players, boards: LeaderboardReader, projector: Projector) -> None:
        self._players = players
        self._boards = boards
        self._projector = projector

    async def GetXp(self, request: pb.GetXpRequest, context: grpc.aio.ServicerContext) -> pb.GetXpResponse:
        s = await self._players.standing(current_principal().user_id)
        badges = [pb.Badge(id=b.badge_id, names=BADGES_BY_ID[b.badge_id].names,
                           description=BADGES_BY_ID[b.badge_id].description, earn_time=to_timestamp(b.earn_time))
                  for b in s.badges if b.badge_id in BADGES_BY_ID]
        return pb.GetXpResponse(xp=s.xp, level=s.level, next_level_xp=s.next_level_xp, badges=badges)

    async def GetLeaderboard(self, request: pb.GetLeaderboardRequest,
                             context: grpc.aio.ServicerContext) -> pb.GetLeaderboardResponse:
        board = await self._boards.read(current_principal().user_id, request.scope, request.period, request.limit,
                                        request.city)
        return pb.GetLeaderboardResponse(entries=[_entry(e) for e in board.entries], me=_entry(board.me),
                                         scope=board.scope, period=board.period, city=board.city)

    async def FollowFriend(self, request: pb.FollowFriendRequest, context: grpc.aio.ServicerContext) -> pb.Friend:
        return _friend(await self._players.follow(current_principal().user_id, request.login))

    async def UnfollowFriend(self, request: pb.UnfollowFriendRequest,
                             context: grpc.aio.ServicerContext) -> pb.UnfollowFriendResponse:
        await self._players.unfollow(current_principal().user_id, request.login)
        return pb.UnfollowFriendResponse()

    async def ListFriends(self, request: pb.ListFriendsRequest,
                          context: grpc.aio.ServicerContext) -> pb.ListFriendsResponse:
        return pb.ListFriendsResponse(friends=[_friend(f) for f in await self._players.friends(
            current_principal().user_id)])

    async def RebuildLeaderboards(self, request: pb.RebuildLeaderboardsRequest,
                                  context: grpc.aio.ServicerContext) -> pb.RebuildLeaderboardsResponse:
        users, scores = await self._projector.rebuild()
        return pb.RebuildLeaderboardsResponse(users=users, scores=scores)
