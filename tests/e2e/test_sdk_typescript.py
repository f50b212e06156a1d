"""The TypeScript SDK (sdk/typescript) against the running gateway, over gRPC-Web: its own
`node --test` suite (sign-up to /me, typed errors naming the field, refresh-token
rotation, the avatar upload), built and run from the pinned npm lock."""

from __future__ import annotations

import re

from kgo import sdk_typescript


def test_typescript_sdk_suite(gateway: str) -> None:
    assert (sdk_typescript.build() / "index.d.ts").exists()  # the published build compiles too
    result = sdk_typescript.test(gateway)
    report = f"{result.stdout[-12000:]}\n{result.stderr[-4000:]}"
    assert result.returncode == 0, report
    counts = {name: int(n) for name, n in re.findall(r"^# (tests|pass|fail) (\d+)$", result.stdout, re.M)}
    assert counts.get("tests", 0) > 0 and counts.get("pass") == counts["tests"], report
