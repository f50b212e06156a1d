"""`kgo game rebuild`: gamification-service's Redis leaderboards rebuilt from its XP ledger."""

from __future__ import annotations

import json

import grpc
from google.protobuf.json_format import MessageToDict

from kgo import topology
from kulturago.gamification.v1 import gamification_service_pb2 as pb
from kulturago.gamification.v1 import gamification_service_pb2_grpc as pb_grpc


def rebuild(*, quiet: bool = False) -> dict[str, object]:
    address = f"127.0.0.1:{topology.service('gamification').grpc_port}"
    with grpc.insecure_channel(address) as channel:
        reply = pb_grpc.GamificationServiceStub(channel).RebuildLeaderboards(pb.RebuildLeaderboardsRequest(),
                                                                            timeout=600)
    result = MessageToDict(reply, always_print_fields_with_no_presence=True)
    if not quiet:
        print(json.dumps(result, ensure_ascii=False))
    return result
