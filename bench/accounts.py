"""Signed-in users for the scenarios that need many callers (buyers, readers)."""

from __future__ import annotations

import uuid

import httpx


def signed_in(http: httpx.Client, count: int, *, login_prefix: str, full_name: str) -> list[dict[str, str]]:
    """`count` fresh accounts, each as the Authorization header of its access token."""
    headers = []
    for _ in range(count):
        suffix = uuid.uuid4().hex[:10]
        login, password = f"{login_prefix}_{suffix}", f"Bench-{suffix}-Pw!"
        http.post("/api/v1/auth/signup", json={"email": f"{login}@example.com", "login": login,
                                               "password": password, "fullName": full_name}).raise_for_status()
        reply = http.post("/api/v1/auth/signin", json={"login": login, "password": password})
        reply.raise_for_status()
        headers.append({"Authorization": f"Bearer {reply.json()['accessToken']}"})
    return headers
