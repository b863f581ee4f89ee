"""Outlets and deliveries as pure rules: who configures, where each goes, attempts and backoff."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from events.delivery import LEASE, MAX_ATTEMPTS, Delivery, delivery_id, wait_after
from events.errors import InvalidValue, NotPermitted, RuleBroken
from events.outlet import Outlet
from tests.events.helpers import ADMIN, EDITOR, at


def outlet(kind: str = "webhook", channel: str | None = "wechat", url: str = "https://x.test/h"):
    return Outlet.add(
        id=uuid4(), at=at(), actor=ADMIN, name="gw", kind=kind, channel=channel, url=url,
        secret_id="s1",
    )  # fmt: skip


def delivery(action: str = "publish") -> Delivery:
    return Delivery.queue(
        at=at(), actor="hub", outlet=uuid4(), outlet_name="gw", kind="webhook", subject=uuid4(),
        subject_version=7, story=uuid4(), channel="wechat", publication=1, action=action,
    )  # fmt: skip


def test_only_admins_configure_outlets() -> None:
    with pytest.raises(NotPermitted):
        Outlet.add(
            id=uuid4(), at=at(), actor=EDITOR, name="gw", kind="webhook", channel="wechat",
            url="https://x.test", secret_id="s",
        )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "channel", "url"),
    [
        ("fax", "wechat", "https://x.test"),
        ("webhook", None, "https://x.test"),
        ("webhook", "wechat", "ftp://x.test"),
        ("webhook", "wechat", "https://user:pw@x.test"),
        ("webhook", "cinema", "https://x.test"),
        ("site", "wechat", ""),
    ],
)
def test_an_outlet_needs_a_kind_a_channel_and_an_address_that_fit(
    kind: str, channel: str | None, url: str
) -> None:
    with pytest.raises(InvalidValue):
        outlet(kind, channel, url)


def test_a_hub_outlet_without_channel_takes_every_channel_until_deactivated() -> None:
    up = outlet("hub", None, "https://prefecture.test/hooks/origins/county")
    assert up.takes("tv") and up.takes("wechat")
    hook = outlet()
    assert hook.takes("wechat") and not hook.takes("weibo")
    hook.deactivate(at=at(), actor=ADMIN, reason="contract ended")
    assert not hook.takes("wechat")
    with pytest.raises(RuleBroken):
        hook.change(at=at(), actor=ADMIN, channel="weibo", url="https://x.test")


def test_a_delivery_is_keyed_by_what_it_carries_and_where() -> None:
    product, outlet_id = uuid4(), uuid4()
    assert delivery_id(product, 1, "publish", outlet_id) == delivery_id(
        product, 1, "publish", outlet_id
    )
    assert delivery_id(product, 1, "publish", outlet_id) != delivery_id(
        product, 2, "publish", outlet_id
    )
    assert delivery_id(product, 1, "publish", outlet_id) != delivery_id(
        product, 1, "retract", outlet_id
    )


def test_failed_attempts_wait_twice_as_long_each_time_then_give_up() -> None:
    assert [wait_after(n).total_seconds() for n in (1, 2, 3, 4)] == [5, 10, 20, 40]
    assert wait_after(40) == timedelta(hours=1)
    d = delivery()
    for number in range(1, MAX_ATTEMPTS):
        attempt = d.attempt(at=at(), actor="hub", node="a")
        assert attempt == number
        moment = at()
        d.fail(at=moment, actor="hub", attempt=attempt, reason="HTTP 503")
        assert d.state == "failed" and d.next_at == moment + wait_after(number)
        assert not d.due(moment, "a") and d.due(moment + wait_after(number), "a")
    last = d.attempt(at=at(), actor="hub", node="a")
    d.fail(at=at(), actor="hub", attempt=last, reason="HTTP 503")
    assert d.state == "gave_up"
    with pytest.raises(RuleBroken):
        d.attempt(at=at(), actor="hub", node="a")


def test_an_open_attempt_is_due_again_for_its_restarted_node_or_after_the_lease() -> None:
    d = delivery()
    d.attempt(at=(moment := at()), actor="hub", node="a")
    assert not d.due(moment, "a")
    assert d.due(moment, "a", starting=True)
    assert not d.due(moment, "b", starting=True)
    assert d.due(moment + LEASE, "b")
    assert d.message_id == f"msg_{d.id.hex}"


def test_an_outcome_names_the_open_attempt() -> None:
    d = delivery()
    attempt = d.attempt(at=at(), actor="hub", node="a")
    with pytest.raises(RuleBroken):
        d.succeed(at=at(), actor="hub", attempt=attempt + 1, detail="")
    d.succeed(at=at(), actor="hub", attempt=attempt, detail="HTTP 200")
    assert d.state == "delivered"


def test_only_a_submission_to_a_hub_gets_a_decision_and_refusing_needs_a_reason() -> None:
    d = delivery()
    with pytest.raises(RuleBroken):
        d.decide(at=at(), actor="hub", adopted=True, reason="", by="prefecture")
    up = Delivery.queue(
        at=at(), actor="hub", outlet=uuid4(), outlet_name="pref", kind="hub", subject=uuid4(),
        subject_version=3, story=None, channel="tv", publication=1, action="publish",
    )  # fmt: skip
    with pytest.raises(InvalidValue):
        up.decide(at=at(), actor="hub", adopted=False, reason=" ", by="prefecture")
    up.decide(at=at(), actor="hub", adopted=True, reason="", by="prefecture")
    assert up.decision == {"adopted": True, "reason": "", "by": "prefecture"}
