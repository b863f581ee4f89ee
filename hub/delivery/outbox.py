"""The outbox: follows the log from a checkpoint, decides each delivery, and sends it.

Deciding: for each publication or retraction of a product after the checkpoint, a delivery is
queued to every active outlet of its channel (and, on a hub that takes submissions, each
decision is queued back to its origin). A delivery's id is derived from what it carries and
where, so deciding again after a restart finds the delivery made before: nothing is queued twice.
The checkpoint (hub_tracking) moves only after the deliveries of what was read are queued, so a
hub that dies in between decides again, and nothing is lost.

Sending: a due delivery's attempt is recorded first, with the version this node saw (so one
node alone makes it), then the parcel goes through the adapter of the outlet's kind, then the
outcome is recorded. A node that dies between the attempt and its outcome finds the attempt
open when it starts and sends again under the same webhook-id; receivers keep one copy.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from events.alert import EmergencyAlert
from events.delivery import Delivery
from events.outlet import Outlet
from events.roles import SYSTEM_ACTOR
from events.submission import Origin, Submission
from hub.commands.outlets import AttemptDelivery, QueueDelivery, RecordDelivered, RecordFailed
from hub.delivery import ninjs
from hub.delivery.adapters import SiteAdapter, WebhookAdapter
from hub.delivery.items import item_of
from hub.delivery.ports import Adapter, Outcome, Parcel
from hub.emergency.cap import alert_record, cap_document
from hub.errors import AlreadyExists, HubError, StoreUnavailable, VersionConflict
from hub.newsroom import Newsroom, Request
from hub.store.times import from_micros
from projections.base import Logged
from projections.site import PublicSite

log = logging.getLogger(__name__)

MODEL = "delivery/outbox"  # its checkpoint's row in hub_tracking
BATCH = 500
POLL = 1.0  # seconds: retries fall due, and other nodes write


def topic(module: str, name: str) -> str:
    return f"events.{module}:{name}"


OUTLET_TOPICS = tuple(
    topic("outlet", f"Outlet.{n}") for n in ("Added", "Changed", "Deactivated", "SecretRotated")
)
DELIVERY_TOPICS = tuple(
    topic("delivery", f"Delivery.{n}")
    for n in ("Queued", "Attempted", "Delivered", "Failed", "GaveUp")
)
# Named, not imported: the product model is the desk's (events/product.py).
PRODUCT_TOPICS = (topic("product", "Product.Published"), topic("product", "Product.Retracted"))
SUBMISSION_TOPICS = (topic("submission", "Origin.Registered"),) + tuple(
    topic("submission", f"Submission.{n}") for n in ("Received", "Decided")
)
# An approved emergency alert goes to every outlet of the emergency channel (docs/emergency.md).
ALERT_TOPICS = (topic("alert", "EmergencyAlert.Approved"),)
TOPICS = OUTLET_TOPICS + DELIVERY_TOPICS + PRODUCT_TOPICS + SUBMISSION_TOPICS + ALERT_TOPICS


@dataclass(frozen=True, slots=True)
class Target:
    """An outlet (or an origin, for decisions) as the outbox knows it."""

    id: UUID
    name: str
    kind: str
    channel: str | None
    url: str
    secret_id: str
    active: bool = True

    def takes(self, channel: str) -> bool:
        return self.active and self.kind != "origin" and self.channel in (None, channel)


class Outbox:
    """Decides and sends the deliveries of one hub node."""

    def __init__(
        self,
        newsroom: Newsroom,
        *,
        node: str,
        base_url: str,
        centre: str,
        cap_sender: str = "alerts@hub.invalid",
        adapters: Mapping[str, Adapter] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.newsroom = newsroom
        self.store = newsroom.store
        self.node = node
        self.base_url = base_url.rstrip("/")
        self.centre = centre
        self.cap_sender = cap_sender
        self.clock = clock
        webhook = WebhookAdapter()
        self.adapters: Mapping[str, Adapter] = adapters or {
            "site": SiteAdapter(),
            "webhook": webhook,
            "hub": webhook,
            "origin": webhook,
        }
        self.targets: dict[UUID, Target] = {}
        self.submissions: dict[UUID, UUID] = {}  # submission -> origin
        self.open: set[UUID] = set()  # deliveries neither delivered nor given up
        self.site = PublicSite()
        self.scanned = 0
        self.checkpoint = 0
        self.lock = threading.Lock()
        self.starting = True
        self.sent = 0

    # -- deciding -------------------------------------------------------------------------------

    def start(self) -> None:
        self.checkpoint = self.store.tracked(MODEL)

    def scan(self) -> int:
        """Folds what the log holds after the last scan; queues the deliveries of publications
        after the checkpoint; moves the checkpoint. Returns how many events it read."""
        read = 0
        while True:
            batch = self.store.read_log(after=self.scanned, limit=BATCH, topics=TOPICS)
            if not batch:
                break
            to_event = self.newsroom.mapper.to_domain_event
            for notification in batch:
                event = to_event(notification)
                with self.lock:
                    self._fold(notification.id, notification.recorded_at, event)
                if notification.id > self.checkpoint:
                    self._decide(event, notification.originator_version)
                self.scanned = notification.id
            read += len(batch)
            if self.scanned > self.checkpoint:
                self.store.track(MODEL, self.scanned)
                self.checkpoint = self.scanned
        return read

    def _fold(self, position: int, recorded_at: int, e: Any) -> None:
        name = type(e).__qualname__
        oid = e.originator_id
        if isinstance(e, Outlet.Added):
            self.targets[oid] = Target(oid, e.name, e.kind, e.channel, e.url, e.secret_id)
        elif isinstance(e, Outlet.Changed) and oid in self.targets:
            self.targets[oid] = replace(self.targets[oid], channel=e.channel, url=e.url)
        elif isinstance(e, Outlet.Deactivated) and oid in self.targets:
            self.targets[oid] = replace(self.targets[oid], active=False)
        elif isinstance(e, Outlet.SecretRotated) and oid in self.targets:
            self.targets[oid] = replace(self.targets[oid], secret_id=e.secret_id)
        elif isinstance(e, Origin.Registered):
            self.targets[oid] = Target(oid, e.name, "origin", None, e.url, e.secret_id)
        elif isinstance(e, Submission.Received):
            self.submissions[oid] = e.origin
        elif isinstance(e, Delivery.Queued):
            self.open.add(oid)
        elif isinstance(e, Delivery.Delivered | Delivery.GaveUp):
            self.open.discard(oid)
        if name.startswith("Delivery."):
            self.site.apply(Logged(position, from_micros(recorded_at), e))

    def _decide(self, e: Any, version: int) -> None:
        name = type(e).__qualname__
        if name in ("Product.Published", "Product.Retracted"):
            action = "publish" if name == "Product.Published" else "retract"
            product: Any = self.newsroom.repository.get(e.originator_id, version=version)
            for target in list(self.targets.values()):
                if target.takes(product.channel):
                    self._queue(
                        target,
                        e,
                        version,
                        action,
                        note=getattr(e, "reason", ""),
                        story=product.story,
                        channel=product.channel,
                        headline=product.title,
                    )
        elif name == "EmergencyAlert.Approved":
            for target in list(self.targets.values()):
                if target.kind != "site" and target.takes("emergency"):
                    self._queue(
                        target,
                        e,
                        version,
                        "alert",
                        note=e.msg_type,
                        story=None,
                        channel="emergency",
                        headline=e.headline,
                    )
        elif isinstance(e, Submission.Decided):
            origin = self.targets.get(self.submissions.get(e.originator_id, e.originator_id))
            if origin is not None:
                submission: Any = self.newsroom.repository.get(e.originator_id, version=version)
                self._queue(
                    origin,
                    e,
                    version,
                    "decision",
                    note=e.reason,
                    story=None,
                    channel=None,
                    headline=submission.headline,
                    publication=submission.publication,
                )

    def _queue(self, target: Target, e: Any, version: int, action: str, **facts: Any) -> None:
        command = QueueDelivery(
            outlet=target.id,
            outlet_name=target.name,
            kind=target.kind,
            subject=e.originator_id,
            subject_version=version,
            action=action,
            **{"publication": getattr(e, "publication", 1), **facts},
        )
        with suppress(AlreadyExists):  # decided before the hub stopped: the delivery exists
            self.newsroom.handle(Request(SYSTEM_ACTOR, self.clock()), command)

    # -- sending --------------------------------------------------------------------------------

    def due(self) -> list[Delivery]:
        """The deliveries to attempt now, oldest first."""
        now, found = self.clock(), []
        for did in sorted(self.open):
            try:
                d = self.newsroom.get(Delivery, did)
            except HubError:
                continue
            if d.due(now, self.node, starting=self.starting):
                found.append(d)
        self.starting = False
        return found

    def claim(self, d: Delivery) -> int | None:
        """Records the next attempt; None when another node made it first."""
        r = Request(SYSTEM_ACTOR, self.clock(), expected_version=d.version)
        try:
            self.newsroom.handle(r, AttemptDelivery(id=d.id, node=self.node))
        except (VersionConflict, HubError):
            return None
        return d.attempts + 1

    def parcel(self, d: Delivery, attempt: int) -> Parcel:
        target = self.targets[d.outlet]
        secret = self.store.secret(target.id, target.secret_id)
        body, url = self._body(d, target)
        # Signed with the wall clock, whatever clock decides what is due: the receiver checks the
        # timestamp against its own (Standard Webhooks: against replays).
        return Parcel(d.id, d.message_id, target.kind, url, secret, body, datetime.now(UTC))

    def _body(self, d: Delivery, target: Target) -> tuple[dict[str, Any], str]:
        if d.action == "decision":
            submission = self.newsroom.get(Submission, d.subject)
            decided: Any = self.newsroom.repository.get(d.subject, version=d.subject_version)
            body = {
                "message_id": submission.message_id,
                "adopted": decided.decision == "adopted",
                "reason": d.note,
                "by": self.centre,
            }
            return body, submission.reply_to
        if d.action == "alert":
            return self._alert(d), target.url
        document = ninjs.document(
            item_of(self.newsroom, d, self.base_url), base_url=self.base_url, centre=self.centre
        )
        if target.kind != "hub":
            return document, target.url
        envelope = {
            "origin": self.centre,
            "action": d.action,
            "publication": d.publication,
            "reply_to": f"{self.base_url}/hooks/outlets/{target.name}/decisions",
            "item": document,
        }
        return envelope, target.url

    def _alert(self, d: Delivery) -> dict[str, Any]:
        """An emergency alert as the emergency-broadcast platform takes it: the CAP 1.2 document
        as approved (its XML as a string), and where the public feed is."""
        approved = self.newsroom.get(EmergencyAlert, d.subject)
        alerts = {
            str(r): alert_record(self.newsroom.get(EmergencyAlert, r)) for r in approved.references
        }
        alert = alerts[str(d.subject)] = alert_record(approved)
        document = cap_document(alert, alerts, sender=self.cap_sender, name=self.centre)
        return {
            "type": f"alert.{alert['msg_type'].lower()}",
            "identifier": alert["id"],
            "headline": alert["headline"],
            "area": alert["area"],
            "severity": alert["severity"],
            "expires": alert["expires"],
            "cap": document.decode(),
            "cap_url": f"{self.base_url}/cap/{alert['id']}.xml",
            "feed": f"{self.base_url}/cap/feed.atom",
        }

    def record(self, d: Delivery, attempt: int, outcome: Outcome) -> None:
        r = Request(SYSTEM_ACTOR, self.clock())
        if outcome.ok:
            command: Any = RecordDelivered(id=d.id, attempt=attempt, detail=outcome.detail)
            self.sent += 1
        else:
            command = RecordFailed(id=d.id, attempt=attempt, reason=outcome.detail)
        self.newsroom.handle(r, command)

    async def deliver(self, d: Delivery) -> None:
        attempt = await asyncio.to_thread(self.claim, d)
        if attempt is None:
            return
        try:
            parcel = await asyncio.to_thread(self.parcel, d, attempt)
        except (AggregateNotFoundError, HubError, KeyError) as error:
            outcome = Outcome(False, f"could not make the message: {error}")
        else:
            outcome = await self.adapters[parcel.kind].send(parcel)
        await asyncio.to_thread(self.record, d, attempt, outcome)

    async def pass_once(self) -> None:
        await asyncio.to_thread(self.scan)
        for d in await asyncio.to_thread(self.due):
            await self.deliver(d)
        await asyncio.to_thread(self.scan)

    async def run(self, wake: asyncio.Event) -> None:
        started = False
        while True:
            try:
                if not started:
                    await asyncio.to_thread(self.start)
                    started = True
                await self.pass_once()
            except asyncio.CancelledError:
                raise
            except StoreUnavailable:
                pass  # the store's status says so (health, the wall); the next pass tries again
            except Exception:
                log.exception("the delivery outbox's pass failed; it tries again")
            with suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), POLL)
            wake.clear()


@asynccontextmanager
async def running(outbox: Outbox) -> AsyncIterator[Outbox]:
    """Runs the outbox beside the application: woken by every commit, and every second."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()

    def commit(_position: int) -> None:
        loop.call_soon_threadsafe(wake.set)

    outbox.store.add_listener(commit)
    task = asyncio.create_task(outbox.run(wake), name="delivery-outbox")
    try:
        yield outbox
    finally:
        outbox.store.remove_listener(commit)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
