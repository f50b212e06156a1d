"""python -m sandboxes.vision: the Google Cloud Vision sandbox on KGO_VISION_SANDBOX_PORT."""

import logging

from aiohttp import web

from sandboxes.vision.app import build
from sandboxes.vision.settings import SandboxSettings

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
settings = SandboxSettings()
web.run_app(build(settings), host=settings.host, port=settings.port, access_log_format='%a "%r" %s %Tfs',
            print=None)
