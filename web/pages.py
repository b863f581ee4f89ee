"""The pages: sign-in, the wall, the console, the reporter's phone, the desk, review and audit.

Each page is a Jinja2 template with a small script module; the data comes afterwards from the
JSON API and the wall feed, so a page is the same for every moment and only says who is looking,
in which language, and the CSRF token for writes. A page that needs a role the caller lacks
answers 403 with a way home; an anonymous caller is sent to sign in and brought back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from events.channels import CHANNELS
from events.messages import N_
from events.roles import Role
from hub.principals import Principal
from hub.readers import LIVE, NEWSROOM
from web.auth import authenticate, home_page
from web.csrf import csrf_token
from web.errors import ApiError
from web.i18n import COOKIE, catalog, chosen_language, gettext, install, other_language
from web.runtime import Runtime, runtime

TEMPLATES = Path(__file__).parent / "templates"
LANG_COOKIE_SECONDS = 365 * 24 * 3600
PRIORITIES = ("low", "normal", "high", "urgent")

# Who may open which page (admins may open every page); each reads what its page shows.
PAGE_ROLES: dict[str, tuple[Role, ...]] = {
    "wall": LIVE,
    "console": (Role.DISPATCHER, Role.TECHNICIAN, Role.DESK_HEAD, Role.CHIEF_EDITOR),
    "reporter": (Role.REPORTER,),
    "desk": (Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR),
    "review": (Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR),
    "audit": (Role.AUDITOR,),
    "meeting": (Role.DISPATCHER, Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR, Role.AUDITOR),
    "evaluation": (Role.DISPATCHER, Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR, Role.AUDITOR),
    "emergency": (Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR),
    "leads": (Role.DISPATCHER, Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR, Role.AUDITOR),
    "submissions": (Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR),
    "duty": NEWSROOM,
    "opinion": NEWSROOM,
}
NAV = (
    "wall",
    "console",
    "reporter",
    "meeting",
    "desk",
    "review",
    "submissions",
    "leads",
    "opinion",
    "duty",
    "evaluation",
    "emergency",
    "audit",
)
LOGIN_ERRORS = (N_("login.error.bad_credentials"), N_("login.error.too_many_attempts"))


def templates_of(rt: Runtime) -> Jinja2Templates:
    """The template environment, made once per application (it caches compiled templates)."""
    if rt.templates is None:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
        install(env)
        rt.templates = Jinja2Templates(env=env)
    return rt.templates


def script_json(value: Any) -> str:
    """JSON to put inside <script>: no `<`, `>` or `&` that could end the element early."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def who(request: Request) -> Principal | None:
    try:
        principal = authenticate(request, runtime(request).models.directory)
    except ApiError:
        return None
    return principal if principal.kind == "user" else None


def sign_in_first(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)


def render(
    request: Request,
    template: str,
    principal: Principal | None,
    *,
    status_code: int = 200,
    page: str = "",
    config: dict[str, Any] | None = None,
    **context: Any,
) -> Response:
    rt = runtime(request)
    lang, asked = chosen_language(request)
    allowed = [p for p in NAV if principal is not None and principal.has(*PAGE_ROLES[p])]
    session = principal is not None and principal.via == "session"
    base = {
        "lang": lang,
        "other_lang": other_language(lang),
        "centre": rt.settings.centre_name,
        "me": principal,
        "page": page,
        "nav": allowed,
        "csrf": csrf_token(request) if session else "",
        "i18n_json": script_json(dict(catalog(lang))),
        "config_json": script_json(config or {}),
        "lang_href": "?" + urlencode({**request.query_params, "lang": other_language(lang)}),
    }
    response = templates_of(rt).TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
    if asked:
        response.set_cookie(COOKIE, lang, max_age=LANG_COOKIE_SECONDS, samesite="lax")
    response.headers["Cache-Control"] = "no-store"
    return response


def page_for(name: str, template: str) -> Any:
    """A page handler that checks the caller and the roles the page needs."""

    async def handler(request: Request) -> Response:
        principal = who(request)
        if principal is None:
            return sign_in_first(request)
        if not principal.has(*PAGE_ROLES[name]):
            roles = ", ".join(role.value for role in PAGE_ROLES[name])
            return render(
                request,
                "denied.html",
                principal,
                status_code=403,
                roles=roles,
                home=home_page(principal.roles),
            )
        config = config_of(request, name)
        return render(
            request, template, principal, page=name, config=config, channels=config["channels"]
        )

    handler.__name__ = f"{name}_page"
    return handler


def config_of(request: Request, page: str) -> dict[str, Any]:
    """What a page's script needs to start: the caller and the page's own settings."""
    principal = who(request)
    config: dict[str, Any] = {
        "me": principal.name if principal else None,
        "roles": sorted(principal.roles) if principal else [],
        "channels": list(CHANNELS),
        "priorities": list(PRIORITIES),
    }
    if page == "wall":
        config["at"] = request.query_params.get("at") or None
    return config


async def home(request: Request) -> Response:
    principal = who(request)
    if principal is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(home_page(principal.roles), status_code=303)


async def login_page(request: Request) -> Response:
    error = request.query_params.get("error", "")
    lang = chosen_language(request)[0]
    message = ""
    if error:
        key = f"login.error.{error}"
        message = gettext(lang, key if key in LOGIN_ERRORS else N_("login.error.other"))
        retry = request.query_params.get("retry_after", "")
        if retry.isdigit():
            seconds = gettext(lang, N_("login.retry_after"))
            message += f" ({retry} {seconds})"
    return render(
        request,
        "login.html",
        who(request),
        page="login",
        error=message,
        next=request.query_params.get("next", ""),
    )


routes: list[BaseRoute] = [
    Route("/", home, methods=["GET"]),
    Route("/login", login_page, methods=["GET"]),
    *(Route(f"/{name}", page_for(name, f"{name}.html"), methods=["GET"]) for name in PAGE_ROLES),
]
