"""Where higher domains extend course pages without courses importing them.

- Player extensions: study adds its heartbeat script to the lesson player.
- Catalogue orders: study adds "most studied".
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select


@dataclass(frozen=True)
class PlayerExtension:
    name: str
    script: str  # static file path, e.g. "js/study.js"
    config: Callable  # (lesson, user) -> dict for the script, or None to stay out


@dataclass(frozen=True)
class CatalogueOrder:
    name: str
    label: Callable[[], str]  # a lazy translated label
    apply: Callable[[Select], Select]


_player_extensions: dict[str, PlayerExtension] = {}
_catalogue_orders: dict[str, CatalogueOrder] = {}


def register_player_extension(extension: PlayerExtension) -> None:
    _player_extensions[extension.name] = extension


def player_extensions(lesson, user) -> list[dict]:
    rendered = []
    for extension in _player_extensions.values():
        config = extension.config(lesson, user)
        if config is not None:
            rendered.append({"name": extension.name, "script": extension.script, "config": config})
    return rendered


def register_catalogue_order(order: CatalogueOrder) -> None:
    _catalogue_orders[order.name] = order


def catalogue_orders() -> dict[str, CatalogueOrder]:
    return dict(_catalogue_orders)
