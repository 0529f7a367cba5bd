"""Languages: zh-CN by default, English through Babel message catalogues.

Catalogues are read from ``web/translations/<locale>/LC_MESSAGES/*.po`` at start-up,
so no compile step is needed. Templates call ``_()``; the language of the request in hand is
held in a context variable set by ``render``."""

from __future__ import annotations

import io
from contextvars import ContextVar
from gettext import GNUTranslations, NullTranslations
from pathlib import Path

from aiohttp import web
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "web" / "translations"
LANGUAGES = {"zh-CN": "zh_CN", "en": "en"}
DEFAULT_LANGUAGE = "zh-CN"

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)
_catalogues: dict[str, NullTranslations] = {}


def read_catalogues(locale: str) -> list[Catalog]:
    """Every ``*.po`` file of a locale: one per area of the product (core, chat, opinions, ...)."""
    folder = TRANSLATIONS / locale / "LC_MESSAGES"
    catalogues = []
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as fh:
            catalogues.append(read_po(fh, locale=locale))
    return catalogues


def load_catalogues() -> None:
    for lang, locale in LANGUAGES.items():
        merged = Catalog(locale=locale)
        for catalogue in read_catalogues(locale):
            for message in catalogue:
                if message.id and message.string:
                    merged.add(message.id, message.string)
        buffer = io.BytesIO()
        write_mo(buffer, merged)
        buffer.seek(0)
        _catalogues[lang] = GNUTranslations(buffer)


def translations(lang: str | None = None) -> NullTranslations:
    if not _catalogues:
        load_catalogues()
    return _catalogues.get(lang or current_language.get(), NullTranslations())


def gettext(message: str, **variables: object) -> str:
    text = translations().gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations().ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


def two_numbers(people: int, households: int) -> str:
    """The two numbers of an opinion or item, e.g. ``43 人附议 · 其中 18 户已核实``."""
    return (
        ngettext("%(num)d supporter", "%(num)d supporters", people)
        + " · "
        + ngettext("of whom %(num)d verified household", "of whom %(num)d verified households", households)
    )


def request_language(request: web.Request) -> str:
    wanted = request.query.get("lang") or request.cookies.get("lang")
    return wanted if wanted in LANGUAGES else DEFAULT_LANGUAGE
