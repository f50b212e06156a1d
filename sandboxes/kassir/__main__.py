"""python -m sandboxes.kassir: the Kassir sandbox on KGO_KASSIR_SANDBOX_PORT."""

import logging

from aiohttp import web

from sandboxes.kassir.app import build
from sandboxes.kassir.settings import SandboxSettings

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
settings = SandboxSettings()
web.run_app(build(settings), host=settings.host, port=settings.port, access_log_format='%a "%r" %s %Tfs',
            print=None)
