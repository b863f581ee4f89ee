"""Who may publish to and view which live source, from the hub's directory.

Publishing: a source's own device token publishes to that source only; a reporter signed in on
the phone page (or with their token) publishes to the sources they own; technicians and admins
publish anywhere (a test from the control room). Viewing: the roles that read the live state
(hub/readers.py: the wall display, dispatchers, technicians, the desk, auditors) watch every
source and output, a reporter the sources they own; device tokens only publish.

The WHIP/WHEP routes hand the authorizer one credential string, made from the request by the web
side (web/live.py): `token:<bearer>` or `session:<name>`, so one check serves phones and pages
alike.
"""

from __future__ import annotations

from events.roles import Role
from hub.media.errors import MediaAuthError
from hub.principals import Principal, active_person, principal_from_token
from hub.readers import LIVE
from hub.runtime import HubRuntime
from projections.directory import Directory

VIEWERS = LIVE  # the roles that read the live state (hub/readers.py) watch every source


class NewsroomMediaAccess:
    """A `MediaAuthorizer` over the directory; remembers who publishes each source."""

    def __init__(self, rt: HubRuntime) -> None:
        self.rt = rt
        self.publishers: dict[str, str | None] = {}  # source -> the person who last published

    @property
    def directory(self) -> Directory:
        return self.rt.models.directory

    async def source_exists(self, source: str) -> bool:
        """A source, or (to watch, not to publish) a program output's monitor."""
        return source in self.directory.sources or self._is_output(source)

    def _is_output(self, name: str) -> bool:
        with self.rt.models.reading() as models:
            return name in models.wall.state()["outputs"]

    async def authorize_publish(self, source: str, credential: str) -> None:
        principal = self._principal(credential)
        entry = self.directory.sources.get(source)
        if entry is None:  # an output: the hub itself makes its picture
            raise MediaAuthError(403, "forbidden", f"{source} is a program output, not a source")
        if principal.kind == "source":
            if principal.name != source:
                raise MediaAuthError(
                    403, "forbidden", f"the token of {principal.name} may not publish to {source}"
                )
            self.publishers[source] = entry.owner
            return
        if entry.owner == principal.name or principal.has(Role.TECHNICIAN):
            self.publishers[source] = principal.name
            return
        raise MediaAuthError(
            403, "forbidden", f"{principal.name} may not publish to {source}: it is not theirs"
        )

    async def authorize_view(self, source: str, credential: str) -> None:
        principal = self._principal(credential)
        if principal.kind == "source":
            raise MediaAuthError(403, "forbidden", "a source's token only publishes")
        entry = self.directory.sources.get(source)
        if principal.has(*VIEWERS) or (entry is not None and entry.owner == principal.name):
            return
        raise MediaAuthError(403, "forbidden", f"{principal.name} may not watch {source}")

    def _principal(self, credential: str) -> Principal:
        kind, _, value = credential.partition(":")
        principal: Principal | None = None
        if kind == "token" and value:
            principal = principal_from_token(self.directory, value)
        elif kind == "session":
            principal = active_person(self.directory, value)
        if principal is None:
            raise MediaAuthError(401, "bad_token", "the token is not valid")
        return principal
