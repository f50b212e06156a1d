"""The port the use cases need from an index; adapters/ implements it on PostgreSQL."""

from __future__ import annotations

from typing import Protocol

from services.search.domain.model import Document, SearchQuery, SearchResults


class SearchIndex(Protocol):
    async def upsert(self, document: Document) -> bool:
        """Store the document unless a version at least as new is stored already.

        True when it changed the index; replays and older versions change nothing."""
        ...

    async def search(self, query: SearchQuery) -> SearchResults:
        ...


class ResultCache(Protocol):
    """Rendered answers by query fingerprint, dropped whenever the index changes."""

    def lookup(self, key: str) -> tuple[int | None, bytes | None]:
        """(generation to store under, cached value); generation None: do not cache now."""
        ...

    def store(self, key: str, generation: int | None, value: bytes) -> None:
        ...
