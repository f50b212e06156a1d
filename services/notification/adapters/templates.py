"""Jinja2 templates of the notifications (services/notification/templates).

Each template id has, per locale, two files:
  <id>.<locale>.txt   blocks `subject`, `text` (the plain e-mail), `push_title`, `push_body`
  <id>.<locale>.html  the HTML e-mail (extends _layout.html)
HTML is autoescaped (a parameter such as an event title cannot inject markup); text is
not (it is never interpreted). A parameter a template uses and was not given raises
MissingParameter instead of rendering an empty gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import jinja2

from services.notification.domain import formatting
from services.notification.service_layer.ports import MissingParameter, Rendered

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TEXT_BLOCKS = ("subject", "text", "push_title", "push_body")


class _Strict(jinja2.StrictUndefined):
    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise MissingParameter(self._undefined_name or "?")

    # Iterating or testing an undefined value is as much a missing parameter as printing it.
    __iter__ = __bool__ = __len__ = __str__ = _fail_with_undefined_error


_LINK_SCHEMES = ("https://", "http://", "kulturago://")


def link(url: str) -> str:
    """A link a message may carry: web or the app's own scheme; anything else (javascript:,
    data:) is dropped."""
    return url if url.strip().lower().startswith(_LINK_SCHEMES) else ""


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=autoescape,
                             undefined=_Strict, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    env.filters["plural"] = formatting.plural
    env.filters["link"] = link
    return env


class JinjaRenderer:
    def __init__(self) -> None:
        self._text = _environment(autoescape=False)
        self._html = _environment(autoescape=True)

    def render(self, template_id: str, locale: str, params: Mapping[str, Any], zone: ZoneInfo) -> Rendered:
        context = {**params, "locale": locale,
                   "when": lambda moment: formatting.when(moment, locale, zone),
                   "money": lambda minor, currency="RUB": formatting.money(minor, currency, locale)}
        text = self._text.get_template(f"{template_id}.{locale}.txt")
        blocks = {name: "".join(text.blocks[name](text.new_context(context))).strip() for name in TEXT_BLOCKS}
        html = self._html.get_template(f"{template_id}.{locale}.html").render(context)
        return Rendered(subject=" ".join(blocks["subject"].split()), text=blocks["text"] + "\n", html=html,
                        push_title=" ".join(blocks["push_title"].split()),
                        push_body=" ".join(blocks["push_body"].split()))

    def templates(self) -> list[tuple[str, str]]:
        """(template id, locale) of every template on disk."""
        found = []
        for path in sorted(TEMPLATES.glob("*.txt")):
            template_id, locale, _ = path.name.split(".")
            found.append((template_id, locale))
        return found
