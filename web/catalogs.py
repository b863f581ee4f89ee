"""The catalogs' upkeep: extract the words marked in the code, merge them, list what is missing.

    python -m web.catalogs update   # messages.pot from the code, merged into every language's .po
    python -m web.catalogs check    # exit 1 while an entry is untranslated or fuzzy

Marks (docs/i18n.md): in Python `Message("...")`, `N_("...")` and the first argument of the
domain's, the application's and the API's errors; in templates `_("...")`; in the page scripts
`t("...")`. Keys the scripts pick by id at run time (`label("state", a.state)`) come from the
domain's own lists below, so a new channel or state is missing until someone translates it.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from events.alert import CATEGORIES, CERTAINTIES, MSG_TYPES, SEVERITIES, URGENCIES
from events.assignment import PRIORITIES, STATES
from events.capture import KINDS, MEDIA
from events.channels import CHANNELS
from events.lead import KINDS as LEAD_KINDS
from events.lead import STATES as LEAD_STATES
from events.messages import PLACE
from events.product import PRODUCT_ACTIONS, SEGMENT_KINDS
from events.product import STATE_WORDS as PRODUCT_STATE_WORDS
from events.roles import REVIEW_LEVEL_NAMES
from events.scoring import ADOPTION_LEVELS
from events.story import STATES as STORY_STATES
from events.topic import DECISIONS as TOPIC_DECISIONS
from events.topic import ORIGINS
from events.topic import STATES as TOPIC_STATES
from web.api import ENDPOINT_MODULES
from web.endpoints import doing_words
from web.i18n import DEFAULT_LANGUAGE, LANGUAGES, LOCALE_DIR, po_path
from web.pages import NAV

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("events", "projections", "hub", "web")
TEMPLATE = LOCALE_DIR / "messages.pot"
# A page label's msgid is a key ("wall.live"): its English is in the en catalog too.
KEY = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")

ERRORS = (
    "DomainError",
    "InvalidValue",
    "NotPermitted",
    "RuleBroken",
    "ReviewRuleBroken",
    "HubError",
    "NotFound",
    "AlreadyExists",
    "VersionConflict",
    "KeyReused",
    "Unauthenticated",
    "StoreUnavailable",
)
KEYWORDS: dict[str, object] = {
    **DEFAULT_KEYWORDS,
    "Message": None,
    "t": None,
    "ApiError": (3,),
    "require_to_be": (2,),  # Actor.require_to_be(person, words, ...)
    **dict.fromkeys(ERRORS),
}
METHODS = [
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**.html", "ignore"),
    ("**/static/js/**.js", "javascript"),
]
OPTIONS = {
    "**/templates/**.html": {"extensions": "jinja2.ext.i18n"},
    "**/static/js/**.js": {"parse_template_string": "true"},  # t() inside `${...}` too
}
COMMENT_TAGS = ["i18n:"]

# Words the page scripts pick by id: label(kind, id) reads the key "kind.id".
PICKED: dict[str, tuple[str, ...]] = {
    "state": STATES,
    "person": ("idle", "assigned", "en_route", "on_scene"),
    "priority": PRIORITIES,
    "command": ("issued", "delivered", "acknowledged"),
    "level": REVIEW_LEVEL_NAMES,
    "level_short": REVIEW_LEVEL_NAMES,
    "channel": tuple(CHANNELS),
    "channel_short": tuple(CHANNELS),
    "source": ("live", "interrupted", "idle", "standby"),
    "capture": KINDS,
    "feed": ("connecting", "live", "down", "behind", "store", "failed"),
    "review": ("capture_added", "capture_removed"),
    "page": (*NAV, "login"),
    "story_state": STORY_STATES,
    "product_state": tuple(PRODUCT_STATE_WORDS),
    "product_action": PRODUCT_ACTIONS,
    "segment": tuple(SEGMENT_KINDS),
    "media": MEDIA,
    "topic": TOPIC_STATES,
    "decision": TOPIC_DECISIONS,
    "origin": ORIGINS,
    "adoption": ADOPTION_LEVELS,
    "cap": (*MSG_TYPES, *CATEGORIES, *URGENCIES, *SEVERITIES, *CERTAINTIES),
    "emergency": (
        "drafted",
        "approved",
        "rejected",
        "on_air",
        "superseded",
        "cancels",
        "updates",
        "cancel",
        "update",
    ),
    "tip.kind": LEAD_KINDS,
    "tip.state": LEAD_STATES,
}


def picked_keys() -> Iterator[str]:
    for kind, ids in PICKED.items():
        yield from (f"{kind}.{id_}" for id_ in ids)


def refused_doings() -> Iterator[str]:
    """What an endpoint's refusal says the caller may not do: its summary (web/endpoints.py)."""
    for module in ENDPOINT_MODULES:
        yield from (doing_words(e.summary) for e in module.ENDPOINTS if e.roles)


def extract() -> Catalog:
    """Every word marked in the hub's code, templates and scripts, as a template catalog."""
    return extract_and_warn()[0]


def extract_and_warn() -> tuple[Catalog, list[str]]:
    """The template catalog, and Babel's warnings (an f-string where a message id belongs)."""
    template = Catalog(project="newsroom-hub", version="0.1.0", fuzzy=False)
    said = io.StringIO()
    with contextlib.redirect_stderr(said):
        for package in PACKAGES:
            for filename, line, msgid, comments, context in extract_from_dir(
                ROOT / package,
                METHODS,
                OPTIONS,
                KEYWORDS,  # type: ignore[arg-type]
                COMMENT_TAGS,
                strip_comment_tags=True,
            ):
                where = (f"{package}/{filename}", line)
                template.add(msgid, locations=[where], auto_comments=comments, context=context)
    for key in picked_keys():
        if key not in template:
            template.add(key, locations=[("web/catalogs.py", 0)])
    for doing in refused_doings():
        if doing not in template:
            template.add(doing, locations=[("web/endpoints.py", 0)])
    warnings = [line for line in said.getvalue().splitlines() if "warning" in line]
    return template, warnings


def read(lang: str) -> Catalog:
    with po_path(lang).open("rb") as file:
        return read_po(file, locale=lang)


def write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=100, ignore_obsolete=True, omit_header=False)


def update() -> None:
    """Writes messages.pot and merges it into each language's catalog (new words untranslated)."""
    template = extract()
    write(template, TEMPLATE)
    for lang in LANGUAGES:
        catalog = read(lang) if po_path(lang).exists() else Catalog(locale=lang)
        catalog.update(template, update_header_comment=False)
        write(catalog, po_path(lang))


def missing(lang: str, template: Catalog | None = None) -> list[str]:
    """The words `lang` lacks: untranslated or fuzzy (English may leave a sentence as it is), or
    translated with other places than the message id's."""
    catalog = read(lang)
    wanted = template or extract()
    problems = []
    for entry in wanted:
        if not entry.id:
            continue
        found = catalog.get(entry.id, context=entry.context)
        must = lang == DEFAULT_LANGUAGE or bool(KEY.match(str(entry.id)))
        if found is None:
            problems.append(f"{lang}: not in the catalog: {entry.id!r}")
        elif found.fuzzy:
            problems.append(f"{lang}: fuzzy: {entry.id!r}")
        elif must and not found.string:
            problems.append(f"{lang}: untranslated: {entry.id!r}")
        elif found.string and places(str(found.string)) != places(str(entry.id)):
            problems.append(f"{lang}: other places than the id's: {entry.id!r}")
    return problems


def places(text: str) -> set[str]:
    return set(PLACE.findall(text))


def main(argv: list[str]) -> int:
    if argv == ["update"]:
        update()
        return 0
    if argv == ["check"]:
        template, problems = extract_and_warn()
        problems += [p for lang in LANGUAGES for p in missing(lang, template)]
        print("\n".join(problems) or "every word is translated")
        return 1 if problems else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
