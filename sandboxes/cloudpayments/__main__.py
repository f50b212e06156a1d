"""python -m sandboxes.cloudpayments: the CloudPayments sandbox on KGO_CLOUDPAYMENTS_SANDBOX_PORT."""

import logging

import uvloop
from aiohttp import web

from sandboxes.cloudpayments.app import build
from sandboxes.cloudpayments.settings import SandboxSettings

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
settings = SandboxSettings()
# uvloop, like our services: the stand-in for the provider should not be what a load test
# of the payment flow measures (asyncio's own loop took a good part of its CPU there).
web.run_app(build(settings), host=settings.host, port=settings.port, access_log_format='%a "%r" %s %Tfs',
            print=None, loop=uvloop.new_event_loop())
