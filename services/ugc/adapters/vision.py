"""Image moderation by Google Cloud Vision SafeSearch: `POST {base}/v1/images:annotate?key=KEY`
with the SAFE_SEARCH_DETECTION feature and the image inline (base64). Its likelihoods
come back as names (VERY_UNLIKELY..VERY_LIKELY). Anything but an answer (network error,
5xx, 429, a malformed or error response) is DependencyUnavailable: an image moderation
could not judge is never taken for a clean one."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from services.runtime.errors import DependencyUnavailable
from services.ugc.domain.moderation import Likelihood, SafeSearch


class VisionSafeSearch:
    def __init__(self, *, base_url: str, api_key: str, timeout_seconds: float = 10.0) -> None:
        self._url = base_url.rstrip("/") + "/v1/images:annotate"
        self._key = api_key
        self._client = httpx.AsyncClient(timeout=timeout_seconds)

    async def safe_search(self, image: bytes) -> SafeSearch:
        body = {"requests": [{"image": {"content": base64.b64encode(image).decode()},
                              "features": [{"type": "SAFE_SEARCH_DETECTION"}]}]}
        try:
            reply = await self._client.post(self._url, params={"key": self._key}, json=body)
        except httpx.HTTPError as exc:
            raise DependencyUnavailable(f"Cloud Vision unreachable: {exc!r}") from exc
        if reply.status_code != 200:
            raise DependencyUnavailable(f"Cloud Vision answered {reply.status_code}: {reply.text[:300]}")
        try:
            first: dict[str, Any] = reply.json()["responses"][0]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise DependencyUnavailable(f"Cloud Vision answered malformed JSON: {exc!r}") from exc
        annotation = first.get("safeSearchAnnotation")
        if not isinstance(annotation, dict):
            raise DependencyUnavailable(f"Cloud Vision did not judge the image: {first.get('error')}")
        return SafeSearch(**{c: Likelihood.parse(str(annotation.get(c, "UNKNOWN")))
                             for c in ("adult", "spoof", "medical", "violence", "racy")})

    async def close(self) -> None:
        await self._client.aclose()
