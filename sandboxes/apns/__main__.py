"""python -m sandboxes.apns: the APNs sandbox (hypercorn, HTTP/2) on KGO_APNS_SANDBOX_PORT."""

import asyncio
import logging
import signal

from hypercorn.asyncio import serve
from hypercorn.config import Config

from sandboxes.apns.app import Apns
from sandboxes.apns.settings import SandboxSettings

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")


async def main() -> None:
    settings = SandboxSettings()
    config = Config()
    config.bind = [f"{settings.host}:{settings.port}"]
    if settings.tls_cert and settings.tls_key:  # else h2c (HTTP/2 with prior knowledge) and HTTP/1.1
        config.certfile, config.keyfile = settings.tls_cert, settings.tls_key
    config.accesslog = logging.getLogger("hypercorn.access")
    config.access_log_format = '%(h)s "%(r)s" %(s)s %(L)ss'
    config.errorlog = logging.getLogger("hypercorn.error")
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    await serve(Apns(settings), config, shutdown_trigger=stop.wait, mode="asgi")  # type: ignore[arg-type]


asyncio.run(main())
