"""Languages: zh-CN by default, English through Babel message catalogues.

Catalogues are read from ``web/translations/<locale>/LC_MESSAGES/messages.po`` at start-up,
so no compile step is needed. Templates call ``_()``; the language of the request in hand is
held in a context variable set by ``render``."""

from __future__ import annotations

import io
from contextvars import ContextVar
from gettext import GNUTranslations, NullTranslations
from pathlib import Path

from aiohttp import web
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "web" / "translations"
LANGUAGES = {"zh-CN": "zh_CN", "en": "en"}
DEFAULT_LANGUAGE = "zh-CN"

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)
_catalogues: dict[str, NullTranslations] = {}


def load_catalogues() -> None:
    for lang, locale in LANGUAGES.items():
        path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
        if not path.exists():
            _catalogues[lang] = NullTranslations()
            continue
        with path.open("rb") as fh:
            catalogue = read_po(fh, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalogue)
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


def request_language(request: web.Request) -> str:
    wanted = request.query.get("lang") or request.cookies.get("lang")
    return wanted if wanted in LANGUAGES else DEFAULT_LANGUAGE
