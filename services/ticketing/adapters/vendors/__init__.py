"""Ticket vendors behind ticketing's TicketVendor port, each speaking its vendor's HTTP
protocol with a configurable base URL and API key, every call through VendorCalls
(timeout, safe retries, a circuit breaker per vendor, metrics)."""

from services.ticketing.adapters.vendors.calls import VendorCalls, VendorTimeout, VendorUnavailable
from services.ticketing.adapters.vendors.kassir import KassirVendor
from services.ticketing.adapters.vendors.ticketscloud import TicketsCloudVendor
from services.ticketing.adapters.vendors.vendor_orders import PostgresVendorOrderIds

__all__ = [
    "KassirVendor",
    "PostgresVendorOrderIds",
    "TicketsCloudVendor",
    "VendorCalls",
    "VendorTimeout",
    "VendorUnavailable",
]
