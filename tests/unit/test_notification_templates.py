"""Every notification template renders in Russian and English (HTML + text + push), with
HTML autoescaped and text not; the template, kind and channel words agree with the
contract's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from buf.validate import validate_pb2

from kulturago.notification.v1 import notification_service_pb2 as pb
from services.notification.adapters.templates import TEMPLATES, JinjaRenderer, link
from services.notification.domain.catalog import CHANNELS, KINDS, LOCALES, TEMPLATE_KINDS
from services.notification.service_layer.ports import MissingParameter
from services.runtime.vocabulary import words

MOSCOW = ZoneInfo("Europe/Moscow")
HOSTILE = '<script>alert("x")</script>'

# What each template is given by its producer (kafka_handlers.py), with a hostile string
# wherever a producer passes someone else's words (an event title, a campaign's text).
PARAMS: dict[str, dict[str, Any]] = {
    "ticket_paid": {"event_title": f"Джаз {HOSTILE}", "session_start": datetime(2026, 12, 8, 17, 0, tzinfo=UTC),
                    "order_id": "7d1c", "amount": 300000, "currency": "RUB", "late": False,
                    "tickets": [{"tier_name": "Танцпол", "seat": "", "qr_cid": "ticket-1"},
                                {"tier_name": "VIP", "seat": "A-12", "qr_cid": "ticket-2"}]},
    "ticket_expired": {"event_title": f"Джаз {HOSTILE}", "session_start": datetime(2026, 12, 8, 17, 0, tzinfo=UTC),
                       "order_id": "7d1c", "amount": 300000, "currency": "RUB"},
    "ticket_refunded": {"event_title": f"Джаз {HOSTILE}", "session_start": datetime(2026, 12, 8, 17, 0, tzinfo=UTC),
                        "order_id": "7d1c", "amount": 150000, "currency": "RUB", "full": True},
    "payment_failed": {"amount": 300000, "currency": "RUB", "reason": f"InsufficientFunds {HOSTILE}",
                       "order_id": "7d1c"},
    "avatar_changed": {},
    "badge_earned": {"badge_name": f"Меломан {HOSTILE}", "level": 3, "xp": 1200},
    "campaign": {"title": f"Скидки {HOSTILE}", "body": "Только сегодня", "deep_link": "kulturago://events/jazz"},
    "message": {"title": f"Привет {HOSTILE}", "body": "Текст"},
}
CASES = [(t, locale) for t in TEMPLATE_KINDS for locale in LOCALES]
renderer = JinjaRenderer()


@pytest.mark.parametrize(("template_id", "locale"), CASES)
def test_every_template_renders_in_both_languages(template_id: str, locale: str) -> None:
    rendered = renderer.render(template_id, locale, {"name": f"Анна {HOSTILE}", **PARAMS[template_id]}, MOSCOW)
    assert rendered.subject and rendered.text.strip() and rendered.push_title and rendered.push_body
    assert "\n" not in rendered.subject + rendered.push_title + rendered.push_body
    assert f'<html lang="{locale}">' in rendered.html
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html  # autoescaped
    assert "{{" not in rendered.text + rendered.html and "{%" not in rendered.text + rendered.html
    if template_id not in ("avatar_changed",):
        assert HOSTILE in rendered.text or HOSTILE in rendered.subject  # text is never escaped


def test_ticket_paid_lists_the_tickets_and_references_their_qr_codes() -> None:
    ru = renderer.render("ticket_paid", "ru", {"name": "Анна", **PARAMS["ticket_paid"]}, MOSCOW)
    assert "8 декабря 2026, 20:00" in ru.text and "место A-12" in ru.text and "3\u00a0000,00\u00a0₽" in ru.text
    assert 'src="cid:ticket-1"' in ru.html and 'src="cid:ticket-2"' in ru.html
    assert ru.push_title == "Билеты оплачены" and ru.push_body.endswith("2 билета")
    en = renderer.render("ticket_paid", "en", {"name": "", **PARAMS["ticket_paid"]}, ZoneInfo("UTC"))
    assert "8 December 2026, 17:00" in en.text and en.text.startswith("Your order is paid")
    assert en.push_body.endswith("2 tickets")


def test_links_other_than_web_or_the_app_are_dropped() -> None:
    hostile = renderer.render("campaign", "en", {"name": "", **PARAMS["campaign"], "deep_link": "javascript:alert(1)"},
                              MOSCOW)
    assert "javascript" not in hostile.html
    assert link("https://kulturago.ru/e/1") and link("kulturago://events/1") and not link("data:text/html,x")


@pytest.mark.parametrize("template_id", ["ticket_paid", "message", "badge_earned"])
def test_a_missing_parameter_is_named(template_id: str) -> None:
    with pytest.raises(MissingParameter) as missing:
        renderer.render(template_id, "ru", {"name": ""}, MOSCOW)
    assert missing.value.name in PARAMS[template_id]


def test_templates_on_disk_are_the_catalogs() -> None:
    assert sorted(renderer.templates()) == sorted(CASES)
    html = {p.name for p in TEMPLATES.glob("*.html")}
    assert html == {f"{t}.{locale}.html" for t, locale in CASES} | {"_layout.html"}


def _map_key_words(message: Any, field: str) -> tuple[str, ...]:
    options: Any = message.DESCRIPTOR.fields_by_name[field].GetOptions()
    return tuple(w for w in getattr(options.Extensions[validate_pb2.field].map.keys.string, "in") if w)


def test_the_words_are_the_contracts() -> None:
    assert set(words(pb.NotifyRequest, "template_id")) == set(TEMPLATE_KINDS)
    assert set(words(pb.NotifyRequest, "channels")) == set(CHANNELS)
    assert set(_map_key_words(pb.UpdatePreferencesRequest, "kinds")) == set(KINDS)
    assert set(_map_key_words(pb.UpdatePreferencesRequest, "channels")) == set(CHANNELS)
    assert set(words(pb.UpdatePreferencesRequest, "locale")) == set(LOCALES)
