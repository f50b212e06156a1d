"""A stand-in for Google Cloud Vision's `POST /v1/images:annotate?key=KEY` with the
SAFE_SEARCH_DETECTION feature (https://cloud.google.com/vision/docs/detecting-safe-search):

    {"requests": [{"image": {"content": "<base64>"}, "features": [{"type": "SAFE_SEARCH_DETECTION"}]}]}
 -> {"responses": [{"safeSearchAnnotation": {"adult", "spoof", "medical", "violence", "racy"}}]}

A wrong or missing key: 400 INVALID_ARGUMENT "API key not valid", like Google's. An image
that does not decode: that response gets an `error` {"code": 3, "message"} instead.

Verdicts are deterministic, by the image's pixels (after decoding, so re-encoding keeps
them): the colour of its top-left pixel decides, each channel within 24 of the rule's
(JPEG shifts colours a little).
  - pure red (255, 0, 0)    -> adult VERY_LIKELY (and racy LIKELY)
  - pure magenta (255, 0, 255) -> racy LIKELY
  - pure black (0, 0, 0)    -> violence LIKELY
  - pure blue (0, 0, 255)   -> spoof VERY_LIKELY (allowed: spoof does not refuse)
  - anything else           -> all VERY_UNLIKELY
Faults (POST /sandbox/faults, method `annotate`): `unavailable` (HTTP `status`, 503 by
default, {"error": {"code": 14, "status": "UNAVAILABLE"}}), `timeout` (wait `seconds`)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
from typing import Any

from aiohttp import web
from PIL import Image

from sandboxes.faults import install, take
from sandboxes.vision.settings import SandboxSettings

SETTINGS = web.AppKey("settings", SandboxSettings)
_CLEAN = {"adult": "VERY_UNLIKELY", "spoof": "VERY_UNLIKELY", "medical": "VERY_UNLIKELY",
          "violence": "VERY_UNLIKELY", "racy": "VERY_UNLIKELY"}
_TOLERANCE = 24
RULES: dict[tuple[int, int, int], dict[str, str]] = {
    (255, 0, 0): {"adult": "VERY_LIKELY", "racy": "LIKELY"},
    (255, 0, 255): {"racy": "LIKELY"},
    (0, 0, 0): {"violence": "LIKELY"},
    (0, 0, 255): {"spoof": "VERY_LIKELY"},
}


def verdict(image: bytes) -> dict[str, str]:
    """The safeSearchAnnotation of `image` (ValueError when it does not decode)."""
    try:
        with Image.open(io.BytesIO(image)) as img:
            pixel = img.convert("RGB").getpixel((0, 0))
    except (OSError, SyntaxError) as exc:
        raise ValueError(f"Bad image data: {exc}") from exc
    rgb = tuple(int(c) for c in pixel[:3]) if isinstance(pixel, tuple) else (0, 0, 0)
    for colour, likelihoods in RULES.items():
        if all(abs(a - b) <= _TOLERANCE for a, b in zip(colour, rgb, strict=True)):
            return {**_CLEAN, **likelihoods}
    return dict(_CLEAN)


def _error(status: int, code: int, name: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": status, "message": message, "status": name}}, status=status)


def _annotate_one(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        return {"error": {"code": 3, "message": "request must be an object"}}
    features = [f.get("type") for f in item.get("features") or [] if isinstance(f, dict)]
    content = (item.get("image") or {}).get("content") if isinstance(item.get("image"), dict) else None
    if not isinstance(content, str):
        return {"error": {"code": 3, "message": "image.content is required (base64)"}}
    try:
        data = base64.b64decode(content, validate=True)
        annotation = verdict(data)
    except (binascii.Error, ValueError) as exc:
        return {"error": {"code": 3, "message": f"Bad image data: {exc}"}}
    return {"safeSearchAnnotation": annotation} if "SAFE_SEARCH_DETECTION" in features else {}


async def annotate(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    if not settings.api_key or request.query.get("key") != settings.api_key:
        return _error(400, 3, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.")
    fault = take(request.app, "annotate", {})
    if fault is not None:
        if fault.mode == "timeout":
            await asyncio.sleep(fault.seconds)
        else:
            return _error(fault.status, 14, "UNAVAILABLE", fault.message)
    try:
        body = await request.json()
    except ValueError:
        return _error(400, 3, "INVALID_ARGUMENT", "Invalid JSON payload received.")
    requests = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(requests, list) or not requests:
        return _error(400, 3, "INVALID_ARGUMENT", "requests must be a non-empty list")
    responses = await asyncio.to_thread(lambda: [_annotate_one(r) for r in requests])
    return web.json_response({"responses": responses})


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def build(settings: SandboxSettings) -> web.Application:
    app = web.Application(client_max_size=30 * 1024 * 1024)
    app[SETTINGS] = settings
    install(app, methods=("annotate",), modes=("unavailable", "timeout"), default_seconds={"timeout": 30.0})
    app.router.add_post("/v1/images:annotate", annotate)
    app.router.add_get("/sandbox/health", health)
    return app
