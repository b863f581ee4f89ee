"""The reader's language, and the hub's words in it from the gettext catalogs in web/locale/.

Pages take the language from `?lang=` (which also sets the `lang` cookie), then the cookie, then
Chinese. The API takes `?lang=`, then the cookie, then `Accept-Language`, then Chinese. The
catalogs are the .po files translators edit (docs/i18n.md); the hub reads each once into memory
with Babel, so there is no compiled .mo file and no build step. Page labels are keyed
(`wall.live`: the English is in the en catalog), sentences are their English text
(events/messages.py).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import jinja2
from babel.messages.pofile import read_po
from markupsafe import escape
from starlette.datastructures import QueryParams
from starlette.requests import HTTPConnection

from events.messages import Message, render

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
COOKIE = "lang"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


# Cached, not mutable: the catalogs are files shipped with the hub and never change while it runs.
@functools.cache
def catalog(lang: str) -> Mapping[str, str]:
    """The translated entries of a language's catalog: msgid -> words (fuzzy ones left out)."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    with po_path(lang).open("rb") as file:
        entries = read_po(file, locale=lang)
    return MappingProxyType(
        {str(m.id): str(m.string) for m in entries if m.id and m.string and not m.fuzzy}
    )


def gettext(lang: str, msgid: str) -> str:
    """A word or sentence in `lang`; the msgid itself when the catalog lacks it."""
    return catalog(lang).get(msgid, msgid)


def translate(lang: str, message: Message | str) -> str:
    """A message (or a bare msgid) rendered in `lang`."""
    if isinstance(message, str):
        return gettext(lang, message)
    return render(message, functools.partial(gettext, lang))


# -- choosing the language ---------------------------------------------------------------------


def chosen_language(conn: HTTPConnection) -> tuple[str, bool]:
    """The page's language, and whether the query asked for it (so the cookie should follow)."""
    # Read from the scope, not conn.query_params: an ASGI scope may leave query_string out.
    asked = QueryParams(conn.scope.get("query_string", b"")).get("lang")
    if asked in LANGUAGES:
        return asked, True
    cookie = conn.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie, False
    return DEFAULT_LANGUAGE, False


def reader_language(conn: HTTPConnection) -> str:
    """The language of an API answer: as a page's, and `Accept-Language` before the default."""
    lang, asked = chosen_language(conn)
    if asked or conn.cookies.get(COOKIE) in LANGUAGES:
        return lang
    return accepted_language(conn.headers.get("accept-language", "")) or DEFAULT_LANGUAGE


def accepted_language(header: str) -> str | None:
    """The language of ours that an Accept-Language header (RFC 9110 §12.5.4) likes best."""
    best, best_q = None, 0.0
    for part in header.split(","):
        tag, _, params = part.partition(";")
        lang = tag.strip().lower().split("-")[0]
        q = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        if lang in LANGUAGES and q > best_q:
            best, best_q = lang, q
    return best


def other_language(lang: str) -> str:
    return "en" if lang == "zh" else "zh"


# -- templates ---------------------------------------------------------------------------------


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, msgid: str) -> str:
    # Escaped here: the extension takes what a translation says as markup, and words are text.
    return escape(gettext(context.get("lang", DEFAULT_LANGUAGE), msgid))


@jinja2.pass_context
def _ngettext(context: jinja2.runtime.Context, singular: str, plural: str, n: int) -> str:
    return _gettext(context, singular if n == 1 else plural)


def install(env: jinja2.Environment) -> None:
    """Gives templates `_()` and `{% trans %}` in the language of the page's `lang`."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the extension
        _gettext, _ngettext, newstyle=True
    )
