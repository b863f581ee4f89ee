"""The public tip form (/tip) and tracking page (/tip/{code}): no sign-in, for phones, Chinese.

A citizen sends a tip, complaint or question with a contact, a place and (through
/tip/uploads, web/tip_uploads.py) photos or a video; the answer is a tracking code, whose page
shows the progress and the department's answer and nothing else (web/templates/tip_status.html).

Abuse limits: a signed form token (made with the page, valid for hours, used once as the
idempotency key, so a resent form makes one lead), a few tips per address per hour, a cap on
failed look-ups of codes per address, text limits from the command's own fields. Everything a
person typed is shown as text by the templates' escaping; nothing here builds markup.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from events.errors import DomainError
from events.messages import N_
from events.roles import Actor
from hub.commands.leads import CODE, SendTip, Spot
from hub.errors import HubError
from hub.newsroom import Request as Command
from hub.tracking import code_hash, normalized
from projections.leads import public_view, step_words
from web.endpoints import execute
from web.i18n import chosen_language, translate
from web.pages import render, who
from web.runtime import Runtime, runtime
from web.security import client_address, secret_key
from web.throttle import LoginThrottle
from web.tip_uploads import attachments_for

PUBLIC = Actor("public")
FORM_MAX_AGE = 6 * 3600  # a form token is good for six hours
TIPS_PER_HOUR = 5
MISSES_PER_TEN_MINUTES = 20
KINDS = ("tip", "complaint", "question")


def limits_of(rt: Runtime) -> tuple[LoginThrottle, LoginThrottle]:
    """Per address: tips sent in the last hour, and unknown codes asked for in ten minutes.
    (The sign-in throttle's sliding window, counting sends and misses instead of failures.)"""
    if rt.tip_limits is None:
        rt.tip_limits = (
            LoginThrottle(attempts=TIPS_PER_HOUR, window=3600.0),
            LoginThrottle(attempts=MISSES_PER_TEN_MINUTES, window=600.0),
        )
    return rt.tip_limits


def signer(rt: Runtime) -> URLSafeTimedSerializer:
    if rt.tip_signer is None:
        rt.tip_signer = URLSafeTimedSerializer(secret_key(rt.settings), salt="tip-form")
    return rt.tip_signer


def new_form_token(rt: Runtime) -> str:
    return str(signer(rt).dumps(secrets.token_hex(16)))


def form_nonce(rt: Runtime, token: str) -> str | None:
    """The nonce a valid form token carries, or None for a forged or stale one."""
    try:
        nonce = signer(rt).loads(token[:200], max_age=FORM_MAX_AGE)
    except BadSignature:
        return None
    return nonce if isinstance(nonce, str) and len(nonce) == 32 else None


def tip_page(
    request: Request,
    *,
    status_code: int = 200,
    error: str = "",
    values: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    rt = runtime(request)
    # A signed-in person's session needs its CSRF token in the form (web/csrf.py); the page
    # itself is the public one for everybody.
    response = render(
        request,
        "tip.html",
        who(request),
        status_code=status_code,
        page="tip",
        kinds=KINDS,
        form_token=new_form_token(rt),
        error=error,
        values=values or {},
    )
    response.headers.update(headers or {})
    return response


async def get_tip(request: Request) -> Response:
    return tip_page(request)


def number(raw: str) -> float | None:
    """A coordinate from a form: None when left empty; ValueError when it is no number."""
    value = float(raw) if raw.strip() else None
    if value is not None and value != value:
        raise ValueError("not a number")
    return value


async def post_tip(request: Request) -> Response:
    rt = runtime(request)
    sends, _ = limits_of(rt)
    address = client_address(request)
    async with request.form(max_files=0, max_fields=20) as form:
        values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    lang = chosen_language(request)[0]
    wait = sends.wait(address)
    if wait:
        error = translate(lang, N_("tip.error.too_many"))
        return tip_page(
            request, status_code=429, error=error, values=values, headers={"Retry-After": str(wait)}
        )
    nonce = form_nonce(rt, values.get("form", ""))
    if nonce is None:
        return tip_page(request, status_code=400, error=translate(lang, N_("tip.error.form")))
    try:
        lat, lon = number(values.get("lat", "")), number(values.get("lon", ""))
        command = SendTip(
            kind=values.get("kind", ""),  # type: ignore[arg-type]
            text=values.get("text", ""),
            contact=values.get("contact", ""),
            location=Spot(name=values.get("place", ""), lat=lat, lon=lon),
            attachments=await attachments_for(rt, values.get("attachments", "")),
        )
    except (ValidationError, ValueError):
        error = translate(lang, N_("tip.error.invalid"))
        return tip_page(request, status_code=422, error=error, values=values)
    try:
        done = await execute(
            rt,
            Command(PUBLIC, datetime.now(UTC), key=f"tip-{nonce}"),
            lambda r: rt.newsroom.handle(r, command),
        )
    except (DomainError, HubError) as refusal:
        return tip_page(
            request, status_code=422, error=translate(lang, refusal.words), values=values
        )
    sends.failed(address)  # counts the send
    code = done.extra.get(CODE)
    if not code:  # a resent form after the first answer was lost: its code was shown then
        return tip_page(request, status_code=409, error=translate(lang, N_("tip.error.resent")))
    return RedirectResponse(f"/tip/{code}?sent=1", status_code=303)


async def get_status(request: Request) -> Response:
    rt = runtime(request)
    _, misses = limits_of(rt)
    address = client_address(request)
    wait = misses.wait(address)
    if wait:
        response = render(request, "tip_missing.html", None, status_code=429, page="tip")
        response.headers["Retry-After"] = str(wait)
        return response
    raw = str(request.path_params["code"])
    lead = None
    if normalized(raw) is not None:
        with rt.models.reading() as models:
            found = models.leads.by_code_hash(code_hash(raw))
            lead = public_view(found) if found is not None else None
    if lead is None:
        misses.failed(address)
        return render(request, "tip_missing.html", None, status_code=404, page="tip")
    lang = chosen_language(request)[0]
    steps = [{**step, "words": translate(lang, step_words(step))} for step in lead["steps"]]
    context: dict[str, Any] = {"lead": lead, "steps": steps, "code": normalized(raw)}
    return render(
        request,
        "tip_status.html",
        None,
        page="tip",
        sent=request.query_params.get("sent") == "1",
        **context,
    )


routes: list[BaseRoute] = [
    Route("/tip", get_tip, methods=["GET"]),
    Route("/tip", post_tip, methods=["POST"]),
    Route("/tip/{code}", get_status, methods=["GET"]),
]
