"""The outbox on both databases: each publication reaches each outlet of its channel once,
failures are retried after their wait, and neither a restart nor a death between deciding and
sending loses a delivery or sends one twice (receivers keep one copy per webhook-id); after an
outlet's secret is rotated, what is sent is signed with the new secret."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import jsonschema_rs

from events.delivery import Delivery, delivery_id
from events.roles import SYSTEM_ACTOR
from hub.commands.outlets import AddOutlet, DeactivateOutlet, RotateOutletSecret
from hub.delivery.outbox import MODEL, Outbox
from hub.newsroom import Newsroom, Request
from hub.store.times import from_micros
from projections.base import Logged
from projections.matrix import PublishingMatrix
from tests.conftest import Clock, Staff
from tests.delivery.ninjs_schema import NINJS_2_0
from tests.delivery.products import published, retract
from tests.delivery.receiver import Receiver, receiving

VALID = jsonschema_rs.Draft4Validator(NINJS_2_0, validate_formats=True)


def outlet(staff: Staff, name: str, kind: str, channel: str, url: str = "") -> str:
    done = staff.newsroom.handle(
        Request(SYSTEM_ACTOR, staff.clock.tick(1)),
        AddOutlet(name=name, kind=kind, channel=channel, url=url),
    )
    return str(done.extra["token"])


def outbox(newsroom: Newsroom, clock: Clock, node: str = "node-a") -> Outbox:
    box = Outbox(
        newsroom,
        node=node,
        base_url="http://hub.test",
        centre="县融媒体中心",
        clock=lambda: clock.now,
    )
    box.start()
    return box


def matrix_of(newsroom: Newsroom) -> dict[str, Any]:
    """The publishing matrix folded from the whole log."""
    matrix = PublishingMatrix()
    for n in newsroom.store.read_log(after=0, limit=100_000):
        event = newsroom.mapper.to_domain_event(n)
        matrix.apply(Logged(n.id, from_micros(n.recorded_at), event))
    return matrix.state()


def run(box: Outbox) -> None:
    asyncio.run(box.pass_once())


def the_delivery(
    newsroom: Newsroom, product: Any, outlet_name: str, action: str = "publish"
) -> Delivery:
    target = newsroom.outlet(outlet_name).id
    return newsroom.get(Delivery, delivery_id(product, 1, action, target))


def test_a_publication_reaches_each_outlet_of_its_channel_once(
    newsroom: Newsroom, staff: Staff, clock: Clock
) -> None:
    with gateway(staff, "weibo", "weibo-gw") as receiver:
        outlet(staff, "old-gw", "webhook", "weibo", "http://127.0.0.1:9/old")
        newsroom.handle(
            Request(SYSTEM_ACTOR, clock.tick(1)), DeactivateOutlet(name="old-gw", reason="replaced")
        )
        outlet(staff, "site", "site", "website")
        weibo = published(staff, "weibo", '<script>alert(1)</script> 大桥 & "通车"', "第一段")
        website = published(staff, "website", "Bridge opens", "text")
        box = outbox(newsroom, clock)
        run(box)
        assert len(receiver.messages) == 1 and receiver.requests == 1
        ((message_id, document),) = receiver.messages.items()
        VALID.validate(document)
        assert document["headlines"][0]["value"] == '<script>alert(1)</script> 大桥 & "通车"'
        assert document["pubstatus"] == "usable"
        delivered = the_delivery(newsroom, weibo, "weibo-gw")
        assert delivered.state == "delivered" and message_id == delivered.message_id
        assert [i["product"] for i in box.site.listing()] == [str(website)]
        cells = matrix_of(newsroom)["stories"][str(delivered.story)]["products"]
        assert cells["weibo"]["deliveries"]["weibo-gw"]["state"] == "delivered"
        assert cells["weibo"]["deliveries"]["weibo-gw"]["attempts"] == 1

        run(outbox(newsroom, clock))  # a restart: the checkpoint holds, nothing is sent again
        assert receiver.requests == 1

        retract(staff, weibo, "wrong date")
        retract(staff, website, "wrong photo")
        run(box)
        assert len(receiver.messages) == 2
        canceled = [d for d in receiver.messages.values() if d["pubstatus"] == "canceled"]
        assert canceled[0]["ednote"] == "wrong date"
        assert box.site.product(str(website))["state"] == "retracted"
        assert box.site.product(str(website))["note"] == "wrong photo"


def test_a_failed_delivery_waits_then_is_retried(
    newsroom: Newsroom, staff: Staff, clock: Clock
) -> None:
    with gateway(staff, "weibo") as receiver:
        receiver.fail_next = 1
        product = published(staff, "weibo", "Flood warning")
        box = outbox(newsroom, clock)
        run(box)
        failed = the_delivery(newsroom, product, "gw")
        assert failed.state == "failed" and failed.last_reason.startswith("HTTP 503")
        assert failed.next_at == failed.attempted_at + timedelta(seconds=5)
        clock.tick(4)
        run(box)
        assert receiver.requests == 1
        clock.tick(2)
        run(box)
        assert the_delivery(newsroom, product, "gw").state == "delivered"
        assert receiver.requests == 2 and len(receiver.messages) == 1


def test_nothing_is_lost_or_sent_twice_when_the_hub_dies_between_steps(
    newsroom: Newsroom, staff: Staff, clock: Clock
) -> None:
    with gateway(staff, "weibo") as receiver:
        product = published(staff, "weibo", "Levee holds")
        first = outbox(newsroom, clock)
        first.scan()
        # Died after deciding, before the checkpoint moved: the next run decides again.
        newsroom.store.track(MODEL, 0)
        second = outbox(newsroom, clock)
        second.scan()
        (queued,) = [newsroom.get(Delivery, did) for did in second.open]
        # Died after recording the attempt and sending, before recording the outcome.
        attempt = second.claim(queued)
        assert attempt == 1
        parcel = second.parcel(newsroom.get(Delivery, queued.id), attempt)
        asyncio.run(second.adapters["webhook"].send(parcel))
        assert receiver.requests == 1
        # Another node does not take the open attempt before its lease ends...
        run(outbox(newsroom, clock, node="node-b"))
        assert receiver.requests == 1
        # ...the node that made it does when it starts again: the same message, kept once.
        third = outbox(newsroom, clock)
        run(third)
        assert receiver.requests == 2 and len(receiver.messages) == 1
        done = the_delivery(newsroom, product, "gw")
        assert done.state == "delivered" and done.attempts == 2


def test_after_a_rotation_deliveries_are_signed_with_the_new_secret(
    newsroom: Newsroom, staff: Staff, clock: Clock
) -> None:
    with gateway(staff, "weibo") as receiver:
        old = receiver.secret
        before = published(staff, "weibo", "Bridge opens")
        box = outbox(newsroom, clock)
        run(box)
        assert the_delivery(newsroom, before, "gw").state == "delivered"
        assert receiver.refused == 0 and len(receiver.messages) == 1

        rotated = newsroom.handle(
            Request(SYSTEM_ACTOR, clock.tick(1)), RotateOutletSecret(name="gw")
        )
        new = str(rotated.extra["token"])
        after = published(staff, "weibo", "Bridge closes for repairs")
        run(box)
        # The gateway still verifies with the old secret: it refuses what is signed anew...
        refused = the_delivery(newsroom, after, "gw")
        assert refused.state == "failed" and refused.last_reason.startswith("HTTP 401")
        assert receiver.refused == 1 and len(receiver.messages) == 1
        # ...and takes it once it verifies with the new one (the old one verifies nothing now).
        receiver.secret = new
        clock.tick(6)
        run(box)
        assert the_delivery(newsroom, after, "gw").state == "delivered"
        assert receiver.refused == 1 and len(receiver.messages) == 2
        assert new != old
        assert [d["headlines"][0]["value"] for d in receiver.messages.values()] == [
            "Bridge opens",
            "Bridge closes for repairs",
        ]


@contextmanager
def gateway(staff: Staff, channel: str, name: str = "gw") -> Iterator[Receiver]:
    """A receiving gateway on 127.0.0.1 and its webhook outlet on `channel`."""
    with receiving("") as receiver:
        receiver.secret = outlet(staff, name, "webhook", channel, receiver.url)
        yield receiver
