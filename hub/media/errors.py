"""What the media engine refuses, and why. The WHIP/WHEP routes translate these at the edge.

MediaError
├── OfferError            the SDP is not a usable offer (HTTP 400)
│   └── UnsupportedCodec  no codec the hub can take (HTTP 400)
├── SourceBusy            the source already has a live publisher (HTTP 409)
├── SessionNotFound       no such publisher or viewer session (HTTP 404)
├── EngineClosed          the engine is shutting down (HTTP 503)
└── MediaAuthError        raised by an authorizer: 401, 403 or 404, with its own code
"""

from __future__ import annotations


class MediaError(Exception):
    """Base of everything the media engine refuses."""


class OfferError(MediaError):
    """The SDP offer is malformed, is not an offer, or offers nothing to send or receive."""


class UnsupportedCodec(OfferError):
    """The offer has no codec the hub relays (video H.264 or VP8, audio Opus)."""


class SourceBusy(MediaError):
    """The source already has a publisher that is sending media."""


class SessionNotFound(MediaError):
    """No publisher or viewer session has this id (or it belongs to another source)."""


class EngineClosed(MediaError):
    """The engine has been closed and takes no new sessions."""


class MediaAuthError(MediaError):
    """An authorizer's refusal: HTTP status (401, 403 or 404), a stable code and a message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
