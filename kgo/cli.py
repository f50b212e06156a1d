"""The `kgo` command: one subcommand per developer task."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="kgo", description="KulturaGo developer CLI")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("up", help="provision, start and seed the whole platform; return when healthy")
    sub.add_parser("down", help="stop every process of the platform")
    sub.add_parser("status", help="state of every supervised process")
    logs = sub.add_parser("logs", help="print a process's log")
    logs.add_argument("service")
    logs.add_argument("-f", "--follow", action="store_true")
    logs.add_argument("-n", "--lines", type=int, default=100)
    ctl = sub.add_parser("stop", help="stop one supervised process (e.g. kafka)")
    ctl.add_argument("service")
    ctl = sub.add_parser("start", help="start one supervised process")
    ctl.add_argument("service")
    sub.add_parser("migrate", help="apply every service's database migrations (once per deploy)")
    sub.add_parser("gen", help="generate gen/python and envoy/descriptor.binpb from proto/")
    sub.add_parser("k8s", help="render k8s/base/envoy.json (the gateway config for the cluster)")

    bufp = sub.add_parser("buf", help="contract checks")
    bufp.add_argument("check", choices=["lint", "breaking"])
    bufp.add_argument("against", nargs="?", default="main")

    events = sub.add_parser("events", help="Kafka domain events")
    events_sub = events.add_subparsers(dest="events_command", required=True)
    tail = events_sub.add_parser("tail", help="print events of a topic as JSON, one per line")
    tail.add_argument("topic")
    tail.add_argument("--from-beginning", action="store_true")
    tail.add_argument("--limit", type=int, default=0, help="stop after N events (0: no limit)")
    tail.add_argument("--timeout", type=float, default=0.0,
                      help="stop after S seconds without a new event (0: wait forever)")
    dlq = events_sub.add_parser("dlq", help="dead letters (<topic>.dlq): list, show, re-drive")
    dlq_sub = dlq.add_subparsers(dest="dlq_command", required=True)
    dlq_ls = dlq_sub.add_parser("ls", help="DLQ topics with counts; with a topic, its dead letters")
    dlq_ls.add_argument("topic", nargs="?")
    dlq_show = dlq_sub.add_parser("show", help="one dead letter, decoded")
    dlq_show.add_argument("topic")
    dlq_show.add_argument("at", help="<partition>:<offset>, as `ls` prints it")
    dlq_replay = dlq_sub.add_parser("replay", help="publish dead letters not replayed yet back to their topic")
    dlq_replay.add_argument("topic")

    admin = sub.add_parser("admin", help="user administration")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)
    create = admin_sub.add_parser("create", help="create a user with the admin role, or promote one")
    create.add_argument("--email", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--login", default=None)
    create.add_argument("--role", choices=("admin", "staff"), default="admin",
                        help="staff: door staff, who check tickets in (POST /api/v1/tickets/checkin)")

    geo = sub.add_parser("geo", help="geo-service data")
    geo_sub = geo.add_subparsers(dest="geo_command", required=True)
    osm = geo_sub.add_parser("load-osm", help="load POIs from an OpenStreetMap extract (.osm, .osm.pbf)")
    osm.add_argument("path")

    mail = sub.add_parser("mail", help="the development mailbox: what the SMTP sink received")
    mail_sub = mail.add_subparsers(dest="mail_command", required=True)
    mail_ls = mail_sub.add_parser("ls", help="messages, newest first")
    mail_ls.add_argument("--to", default=None, help="only those to this address")
    mail_ls.add_argument("--limit", type=int, default=50)
    mail_show = mail_sub.add_parser("show", help="one message: headers, text, attachments")
    mail_show.add_argument("id")
    mail_show_as = mail_show.add_mutually_exclusive_group()
    mail_show_as.add_argument("--html", action="store_true", help="print the HTML part instead of the text")
    mail_show_as.add_argument("--raw", action="store_true", help="print the message as received")

    reco = sub.add_parser("reco", help="recommendation-service: the model and the demo interaction log")
    reco_sub = reco.add_subparsers(dest="reco_command", required=True)
    retrain = reco_sub.add_parser("retrain", help="retrain the model now (validated; activated unless it regresses)")
    retrain.add_argument("--factors", type=int, default=0)
    retrain.add_argument("--iterations", type=int, default=0, help="-1: an untrained (bad) model, for trying refusal")
    reco_seed = reco_sub.add_parser("seed", help="load the synthetic demo interaction log, then retrain")
    reco_seed.add_argument("--users", type=int, default=2000)

    game = sub.add_parser("game", help="gamification-service")
    game_sub = game.add_subparsers(dest="game_command", required=True)
    game_sub.add_parser("rebuild", help="rebuild the Redis leaderboards from the XP ledger (PostgreSQL)")

    tour = sub.add_parser("tour", help="audio tours")
    tour_sub = tour.add_subparsers(dest="tour_command", required=True)
    listen = tour_sub.add_parser("listen", help="listen to a tour through the gateway into an audio file "
                                               "(every stop in turn)")
    listen.add_argument("tour_id")
    listen.add_argument("-o", "--out", help="the audio file (default: <tour id>.ogg or .mp3)")
    listen.add_argument("--language", default="", help="ru, en (default: the tour's own)")
    listen.add_argument("--format", choices=("ogg", "mp3"), default="ogg", help="Opus in Ogg, or MP3")
    listen.add_argument("--from-stop", type=int, default=0)
    listen.add_argument("--token", default=os.environ.get("KGO_TOKEN"), help="an access token (or KGO_TOKEN)")
    listen.add_argument("--login", help="sign in with this login or e-mail instead")
    listen.add_argument("--password")

    seed = sub.add_parser("seed", help="load the demo city (events and POIs)")
    seed.add_argument("--events", type=int, default=600)
    seed.add_argument("--pois", type=int, default=6000)
    seed.add_argument("--force", action="store_true", help="seed even if already seeded")

    args = parser.parse_args(argv)
    sys.exit(_dispatch(args) or 0)


def _dispatch(args: argparse.Namespace) -> int | None:
    # Imports stay local so `kgo gen` works before the stubs it generates exist.
    match args.command:
        case "gen":
            from kgo.codegen import generate

            generate()
        case "k8s":
            from kgo.gateway import write_k8s_config

            write_k8s_config()
        case "buf":
            from kgo import codegen

            codegen.lint() if args.check == "lint" else codegen.breaking(args.against)
        case "up":
            from kgo.platform import up

            up()
        case "down":
            from kgo.platform import down

            down()
        case "status":
            from kgo.platform import status

            return status()
        case "logs":
            from kgo.platform import logs

            logs(args.service, follow=args.follow, lines=args.lines)
        case "stop" | "start":
            from kgo.platform import control

            return control(args.command, args.service)
        case "events" if args.events_command == "dlq":
            from kgo import dead_letters

            match args.dlq_command:
                case "ls":
                    return dead_letters.ls(args.topic)
                case "show":
                    return dead_letters.show(args.topic, args.at)
                case _:
                    return dead_letters.replay(args.topic)
        case "events":
            from kgo.events_tail import tail

            return tail(args.topic, from_beginning=args.from_beginning, limit=args.limit,
                        timeout=args.timeout)
        case "migrate":
            from kgo.platform import migrate

            migrate()
        case "admin":
            from kgo.admin import create_admin

            create_admin(email=args.email, password=args.password, login=args.login, role=args.role)
        case "geo":
            from kgo.geo_cli import load_osm

            load_osm(args.path)
        case "mail":
            from kgo import mail_cli

            if args.mail_command == "ls":
                return mail_cli.ls(args.to, args.limit)
            return mail_cli.show(args.id, html=args.html, raw=args.raw)
        case "reco":
            from kgo import reco_cli

            if args.reco_command == "retrain":
                reco_cli.retrain(factors=args.factors, iterations=args.iterations)
            else:
                reco_cli.seed(users=args.users)
        case "game":
            from kgo.game_cli import rebuild

            rebuild()
        case "tour":
            from kgo.tours_cli import listen

            return listen(args.tour_id, out=args.out, language=args.language, fmt=args.format,
                          from_stop=args.from_stop, token=args.token, login=args.login, password=args.password)
        case "seed":
            from kgo.seed import seed

            seed(events=args.events, pois=args.pois, force=args.force)
    return None
