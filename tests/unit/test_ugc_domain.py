"""ugc-service's pure rules: who may review, which SafeSearch verdicts refuse a photo,
which texts are abusive, and the Vision sandbox's documented verdicts."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from sandboxes.vision.app import verdict
from services.ugc.adapters.photos import reencode
from services.ugc.domain.model import EventFacts, may_review
from services.ugc.domain.moderation import Likelihood, SafeSearch, refused_for
from services.ugc.domain.profanity import is_abusive

NOW = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)


def test_a_review_waits_for_a_started_session_or_a_paid_ticket() -> None:
    later = EventFacts("show", (NOW + timedelta(days=1),))
    assert not may_review(later, has_paid_ticket=False, now=NOW)
    assert may_review(later, has_paid_ticket=True, now=NOW)
    started = EventFacts("show", (NOW - timedelta(minutes=1), NOW + timedelta(days=1)))
    assert may_review(started, has_paid_ticket=False, now=NOW)
    assert may_review(EventFacts("show", (NOW,)), has_paid_ticket=False, now=NOW)


@pytest.mark.parametrize(("verdict_", "refused"), [
    (SafeSearch(), ()),
    (SafeSearch(adult=Likelihood.POSSIBLE, racy=Likelihood.POSSIBLE), ()),
    (SafeSearch(adult=Likelihood.LIKELY), ("adult",)),
    (SafeSearch(violence=Likelihood.VERY_LIKELY, racy=Likelihood.LIKELY), ("violence", "racy")),
    (SafeSearch(spoof=Likelihood.VERY_LIKELY, medical=Likelihood.VERY_LIKELY), ()),
])
def test_likely_adult_violence_or_racy_refuses(verdict_: SafeSearch, refused: tuple[str, ...]) -> None:
    assert refused_for(verdict_) == refused


def test_unknown_likelihood_names_are_unknown() -> None:
    assert Likelihood.parse("VERY_LIKELY") is Likelihood.VERY_LIKELY
    assert Likelihood.parse("SOMETHING_NEW") is Likelihood.UNKNOWN


@pytest.mark.parametrize("text", ["Полная хуйня", "ПИЗДЕЦ как скучно", "выебон один", "сука", "xуйня (латинская x)",
                                  "what a fucking mess", "shit show"])
def test_abusive_texts(text: str) -> None:
    assert is_abusive(text)


@pytest.mark.parametrize("text", ["", "Отличный концерт!", "страхуй билет заранее", "употреблять напитки нельзя",
                                  "сукно на сцене", "ебонитовая палочка", "небо и хлеба", "Scunthorpe class act",
                                  "great show, superb acoustics"])
def test_clean_texts(text: str) -> None:
    assert not is_abusive(text)


def _jpeg(colour: tuple[int, int, int], exif: Image.Exif | None = None) -> bytes:
    img = Image.new("RGB", (300, 200), colour)
    for x in range(0, 300, 7):
        img.putpixel((x, 100), (x % 256, 0, 0))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=95, exif=exif or Image.Exif())
    return out.getvalue()


def test_reencoding_drops_exif_and_thumbnails() -> None:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    exif[0x8825] = {1: "N", 2: (55.0, 45.0, 21.0)}
    image, thumb, width, height = reencode(_jpeg((10, 200, 10), exif))
    assert (width, height) == (300, 200)
    with Image.open(io.BytesIO(image)) as clean:
        assert not clean.getexif() and "exif" not in clean.info
    with Image.open(io.BytesIO(thumb)) as small:
        assert max(small.size) <= 400


def test_the_vision_sandbox_judges_by_the_top_left_pixel_even_after_jpeg() -> None:
    assert verdict(_jpeg((255, 0, 0)))["adult"] == "VERY_LIKELY"
    assert verdict(_jpeg((0, 0, 0)))["violence"] == "LIKELY"
    assert verdict(_jpeg((255, 0, 255)))["racy"] == "LIKELY"
    assert set(verdict(_jpeg((40, 160, 90))).values()) == {"VERY_UNLIKELY"}
