"""KulturaGo API client.

    from kulturago_sdk import Client
    client = Client("http://127.0.0.1:8080")
    client.sign_in("anna", "s3cret-pass")
    hits = client.search.Search(q="джаз").hits

The generated messages and stubs are importable as `kulturago.<domain>.v1` (e.g.
`from kulturago.event.v1 import event_service_pb2`).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from kulturago_sdk import errors
from kulturago_sdk._core import Tokens
from kulturago_sdk.aio import AsyncClient
from kulturago_sdk.client import Client
from kulturago_sdk.errors import ApiError, InvalidArgument, KulturaGoError, Unauthenticated

__all__ = ["ApiError", "AsyncClient", "Client", "InvalidArgument", "KulturaGoError", "Tokens", "Unauthenticated",
           "__version__", "errors"]

try:
    __version__ = version("kulturago-sdk")
except PackageNotFoundError:  # imported from a source tree
    __version__ = "0+unknown"
