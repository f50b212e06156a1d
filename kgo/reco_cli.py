"""`kgo reco retrain|seed`: recommendation-service's model now, and the demo interaction log."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime

import grpc
from google.protobuf.json_format import MessageToDict

from kgo import provision, topology
from kgo.console import step
from kgo.demo_city import generate_events, sellable_events, vendor_events
from kgo.demo_city.interactions import generate_log, log_end
from kulturago.recommendation.v1 import recommendation_service_pb2 as pb
from kulturago.recommendation.v1 import recommendation_service_pb2_grpc as pb_grpc
from services.recommendation.domain.actions import WEIGHTS, Kind

DEMO_USERS = 2000


def retrain(*, factors: int = 0, iterations: int = 0, quiet: bool = False) -> dict[str, object]:
    address = f"127.0.0.1:{topology.service('recommendation').grpc_port}"
    with grpc.insecure_channel(address) as channel:
        reply = pb_grpc.RecommendationServiceStub(channel).RetrainModel(
            pb.RetrainModelRequest(factors=factors, iterations=iterations), timeout=900)
    result = MessageToDict(reply)
    if not quiet:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    return result


def seed_log(*, users: int = DEMO_USERS, events: int = 600) -> int:
    """The synthetic log over the demo city (the same events `kgo seed` publishes),
    ending an hour ago, into recommendation-service's database. Idempotent."""
    import psycopg

    catalog = [*generate_events(events, start=date.today()), *sellable_events(date.today()),
               *vendor_events(date.today())]
    log = generate_log(catalog, users=users, end=log_end(datetime.now(UTC)))
    buffer = io.StringIO()
    for n in range(len(log)):
        kind = Kind(int(log.kinds[n]))
        at = datetime.fromtimestamp(float(log.times[n]), UTC).isoformat()
        buffer.write(f"{log.user_ids[log.users[n]]}\tsyn-{n}\t{catalog[log.items[n]].slug}\t{int(kind)}\t"
                     f"{WEIGHTS[kind]}\t{at}\n")
    url = topology.database_url("recommendation", provision.postgres_password())
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE staged (LIKE interactions INCLUDING DEFAULTS) ON COMMIT DROP")
        with cur.copy("COPY staged (user_id, action_id, event_slug, kind, weight, time) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        cur.execute("INSERT INTO interactions SELECT * FROM staged ON CONFLICT DO NOTHING")
        inserted = cur.rowcount
    return inserted


def seed(*, users: int = DEMO_USERS) -> None:
    with step(f"seeding the demo interaction log ({users} users) and training the first model"):
        seed_log(users=users)
        retrain(quiet=True)
