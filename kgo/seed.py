"""`kgo seed`: the demo city. Events go through event-service's PublishEvent (so they
reach search through `event.published` like any admin edit); POIs are bulk-loaded
into geo-service's database."""

from __future__ import annotations

import asyncio
from datetime import date
from itertools import islice

import grpc

from kgo import provision, topology
from kgo.console import step
from kgo.demo_city import DemoEvent, generate_events, sellable_events, vendor_events
from kulturago.auth.v1 import auth_service_pb2 as auth_pb
from kulturago.auth.v1 import auth_service_pb2_grpc as auth_pb_grpc
from kulturago.event.v1 import event_service_pb2 as pb
from kulturago.event.v1 import event_service_pb2_grpc as pb_grpc
from services.runtime.timestamps import to_timestamp

SEEDER_EMAIL, SEEDER_LOGIN = "kgo-seeder@example.com", "kgo_seeder"


def seeder_token() -> str:
    """An admin access token of a real session: the seeder is an admin account (made the
    way `kgo admin create` makes one) that signs in like anyone else, so publishing
    passes every check a human admin's does, the open-session check included."""
    from kgo.admin import create_admin

    password = provision.seeder_password()
    create_admin(email=SEEDER_EMAIL, password=password, login=SEEDER_LOGIN)
    with grpc.insecure_channel(f"127.0.0.1:{topology.service('auth').grpc_port}") as channel:
        reply = auth_pb_grpc.AuthServiceStub(channel).SignIn(
            auth_pb.SignInRequest(login=SEEDER_EMAIL, password=password), timeout=30)
    return str(reply.access_token)


def to_proto(e: DemoEvent) -> pb.Event:
    return pb.Event(
        slug=e.slug, title=e.title, description=e.description, category=e.category, tags=list(e.tags),
        city=e.city, place=pb.Place(name=e.place.name, address=e.place.address, lat=e.place.lat, lon=e.place.lon),
        sessions=[pb.Session(start_time=to_timestamp(s.start), end_time=to_timestamp(s.end), id=s.id,
                             tiers=[pb.TicketTier(id=t.id, name=t.name, price=t.price, capacity=t.capacity)
                                    for t in s.tiers],
                             seats=[pb.Seat(id=seat, tier_id=tier) for seat, tier in s.seats])
                  for s in e.sessions],
        price=pb.PriceRange(min=e.price_min, max=e.price_max, currency="RUB"), is_free=e.is_free, kids=e.kids,
        age_restriction=e.age_restriction, images=list(e.images), ticket_provider=e.ticket_provider,
    )


async def publish_events(events: list[DemoEvent], token: str, *, concurrency: int = 16) -> int:
    metadata = (("authorization", f"Bearer {token}"),)
    address = f"127.0.0.1:{topology.service('event').grpc_port}"
    async with grpc.aio.insecure_channel(address) as channel:
        stub = pb_grpc.EventServiceStub(channel)
        queue = iter(events)

        async def worker() -> int:
            done = 0
            for event in queue:
                await stub.PublishEvent(pb.PublishEventRequest(event=to_proto(event)), metadata=metadata, timeout=30)
                done += 1
            return done

        return sum(await asyncio.gather(*(worker() for _ in range(concurrency))))


def seed(*, events: int = 600, pois: int = 6000, force: bool = False) -> None:
    del force  # seeding is idempotent: events upsert by slug, POIs by id
    with step(f"seeding {events} demo events"):
        # Plus the events we sell ourselves (ticket_provider kulturago) and two whose vendors'
        # sandboxes hold the inventory (TicketsCloud, Kassir), under fixed slugs.
        batch = [*islice(generate_events(events, start=date.today()), events), *sellable_events(date.today()),
                 *vendor_events(date.today())]
        asyncio.run(publish_events(batch, seeder_token()))
    if pois:
        from kgo.geo_cli import seed_demo_pois

        seed_demo_pois(pois)
    if any(svc.name == "gid" for svc in topology.SERVICES):
        from kgo.tours_cli import seed_tours

        seed_tours()
    if any(svc.name == "recommendation" for svc in topology.SERVICES):
        from kgo import reco_cli

        reco_cli.seed()  # a synthetic interaction log, so popularity and the first model have data
