"""Use case: put a published event into the index (idempotent, replay-safe)."""

from __future__ import annotations

from services.runtime.logging import get_logger
from services.search.domain.model import Document
from services.search.service_layer.ports import SearchIndex

log = get_logger(__name__)


async def index_document(index: SearchIndex, document: Document) -> bool:
    """True when the index changed; an already seen or older version changes nothing."""
    applied = await index.upsert(document)
    if applied:
        log.info("event indexed", slug=document.slug, version=document.version)
    else:
        log.info("stale event version ignored", slug=document.slug, version=document.version)
    return applied
