"""The Cloud Vision adapter against the Vision sandbox `kgo up` runs (the real
images:annotate protocol): verdicts, a wrong key and outages are never taken for a pass."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from channels_support import control, inject_fault, sandbox_url
from PIL import Image

from kgo import platform, topology
from services.runtime.errors import DependencyUnavailable
from services.ugc.adapters.vision import VisionSafeSearch
from services.ugc.domain.moderation import Likelihood, refused_for


def _env() -> dict[str, str]:
    return platform.service_env(topology.Service("vision-test", 0, 0, providers=("vision",)))


def _jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
async def vision() -> AsyncIterator[VisionSafeSearch]:
    env = _env()
    client = VisionSafeSearch(base_url=env["KGO_VISION_BASE_URL"], api_key=env["KGO_VISION_API_KEY"],
                              timeout_seconds=2)
    yield client
    await client.close()
    with control(sandbox_url("vision")) as c:
        c.delete("/sandbox/faults")


async def test_verdicts_by_the_documented_rule(vision: VisionSafeSearch) -> None:
    assert refused_for(await vision.safe_search(_jpeg((40, 160, 90)))) == ()
    flagged = await vision.safe_search(_jpeg((255, 0, 0)))
    assert flagged.adult is Likelihood.VERY_LIKELY and refused_for(flagged) == ("adult", "racy")
    assert refused_for(await vision.safe_search(_jpeg((0, 0, 255)))) == ()  # spoof only


async def test_a_wrong_key_is_unavailable_not_a_pass() -> None:
    client = VisionSafeSearch(base_url=_env()["KGO_VISION_BASE_URL"], api_key="not-the-key")
    with pytest.raises(DependencyUnavailable, match="400"):
        await client.safe_search(_jpeg((40, 160, 90)))
    await client.close()


async def test_outages_are_unavailable(vision: VisionSafeSearch) -> None:
    base = sandbox_url("vision")
    inject_fault(base, "annotate", "unavailable", status=500)
    with pytest.raises(DependencyUnavailable, match="500"):
        await vision.safe_search(_jpeg((40, 160, 90)))
    inject_fault(base, "annotate", "timeout", seconds=5)
    with pytest.raises(DependencyUnavailable, match="unreachable"):
        await vision.safe_search(_jpeg((40, 160, 90)))
    with pytest.raises(DependencyUnavailable, match="did not judge"):
        await vision.safe_search(b"not an image")
