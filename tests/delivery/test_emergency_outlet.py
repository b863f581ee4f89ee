"""An approved emergency alert goes to every outlet of the emergency channel, signed, once: the
CAP 1.2 document as approved, which the emergency-broadcast platform's gateway verifies."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import xmlschema

from events.delivery import Delivery, delivery_id
from hub.commands.alerts import ApproveAlert
from hub.newsroom import Newsroom
from tests.conftest import Clock, Staff
from tests.delivery.test_outbox import gateway, outbox, run
from tests.support.samples import storm_alert

CAP = xmlschema.XMLSchema(Path(__file__).parent.parent / "data" / "CAP-v1.2.xsd")


def test_an_approved_alert_reaches_the_emergency_outlets_once(
    newsroom: Newsroom, staff: Staff, clock: Clock
) -> None:
    with gateway(staff, "emergency", "broadcast") as platform, gateway(staff, "wechat") as other:
        draft = storm_alert(clock.now + timedelta(hours=2))
        alert = newsroom.handle(staff.req("eddie"), draft).id
        box = outbox(newsroom, clock)
        run(box)
        assert platform.messages == {}  # a draft goes nowhere
        newsroom.handle(staff.req("chen"), ApproveAlert(id=alert, reason="核实"))
        run(box)
        run(outbox(newsroom, clock))  # a restart sends nothing again

    ((message_id, sent),) = platform.messages.items()
    assert platform.requests == 1 and other.requests == 0
    assert (sent["type"], sent["identifier"], sent["headline"]) == (
        "alert.alert",
        str(alert),
        "暴雨红色预警",
    )
    CAP.validate(sent["cap"])
    assert sent["cap_url"] == f"http://hub.test/cap/{alert}.xml"
    target = newsroom.outlet("broadcast").id
    delivered = newsroom.get(Delivery, delivery_id(alert, 1, "alert", target))
    assert delivered.state == "delivered" and delivered.message_id == message_id
