"""gRPC plumbing shared by every service: server factory and interceptors."""

from services.runtime.rpc.access import AccessPolicy, Principal, current_principal
from services.runtime.rpc.server import ServiceApp, create_server, run, serve

__all__ = ["AccessPolicy", "Principal", "ServiceApp", "create_server", "current_principal", "run", "serve"]
