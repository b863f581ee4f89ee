"""The security headers every answer carries: what a page may load and run, and who may frame it.

The pages run only the hub's own script files (their data comes as JSON in
`<script type="application/json">`, which is not run), connect only to the hub (the API, the wall
feed's WebSocket, WHIP and WHEP), play media from the hub or from the browser itself (`blob:`),
and are never framed: the wall is a page of its own. The reporter's phone keeps the camera,
the microphone and its position (for this origin only); nothing else may ask for them.

An answer that sets a header itself keeps its own (capture files are sandboxed more strictly,
see web/file_types.py). CSP Level 3 lets `'self'` match `ws:`/`wss:` to this host, so
`connect-src 'self'` covers the feed without opening WebSockets to anywhere else.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PERMISSIONS = ", ".join(
    (
        "camera=(self)",
        "microphone=(self)",
        "geolocation=(self)",
        "display-capture=()",
        "payment=()",
        "usb=()",
    )
)
BASELINE = {
    "Content-Security-Policy": PAGE_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS,
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
}


class SecurityHeadersMiddleware:
    """Adds the baseline to every HTTP answer that does not set the header itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in BASELINE.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, sending)
