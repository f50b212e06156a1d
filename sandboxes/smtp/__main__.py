"""python -m sandboxes.smtp: the SMTP sink (SMTP on KGO_SMTP_PORT, HTTP API on KGO_SMTP_SANDBOX_PORT)."""

import logging

from aiohttp import web

from sandboxes.smtp.app import build
from sandboxes.smtp.settings import SandboxSettings

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
settings = SandboxSettings()
web.run_app(build(settings), host=settings.host, port=settings.api_port, access_log_format='%a "%r" %s %Tfs',
            print=None)
