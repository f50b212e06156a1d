"""python -m sandboxes.cloudpayments: the CloudPayments sandbox on KGO_CLOUDPAYMENTS_SANDBOX_PORT."""

import logging

from aiohttp import web

from sandboxes.cloudpayments.app import build
from sandboxes.cloudpayments.settings import SandboxSettings

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
settings = SandboxSettings()
web.run_app(build(settings), host=settings.host, port=settings.port, access_log_format='%a "%r" %s %Tfs',
            print=None)
