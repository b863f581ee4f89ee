"""Outlets through the application and the command line, on both databases: the signing secret
(the first, and each rotated one) is answered once and kept in its own table, never in the log or
an idempotency record."""

from __future__ import annotations

import pytest

from events.errors import InvalidValue, NotPermitted, RuleBroken
from events.outlet import Outlet
from hub.commands.outlets import AddOutlet, ChangeOutlet, DeactivateOutlet, RotateOutletSecret
from hub.config import Settings
from hub.delivery.listing import outlets
from hub.errors import AlreadyExists
from hub.newsroom import Newsroom, Request
from hub.readmodels import ReadModels
from hub.store import schema
from tests.conftest import Staff
from tests.events.helpers import ADMIN
from tests.test_cli import hub, last_line


def add(newsroom: Newsroom, staff: Staff, key: str | None = None, name: str = "gw") -> dict:
    command = AddOutlet(name=name, kind="webhook", channel="wechat", url="https://gw.test/in")
    return newsroom.handle(Request(ADMIN, staff.clock.tick(), key=key), command).as_dict()


def everything_stored(newsroom: Newsroom) -> bytes:
    with newsroom.store.engine.connect() as conn:
        log = b"".join(
            bytes(r[0])
            for r in conn.execute(schema.events.select().with_only_columns(schema.events.c.state))
        )
        kept = "".join(
            r[0]
            for r in conn.execute(
                schema.idempotency.select().with_only_columns(schema.idempotency.c.result)
            )
        )
    return log + kept.encode()  # fmt: skip


def test_the_secret_is_answered_once_and_kept_apart(newsroom: Newsroom, staff: Staff) -> None:
    first = add(newsroom, staff, key="k-1")
    secret = first["token"]
    assert secret.startswith("whsec_")
    again = add(newsroom, staff, key="k-1")
    assert again["token"] is None and "shown once" in again["message"]
    outlet = newsroom.outlet("gw")
    assert newsroom.store.secret(outlet.id, outlet.secret_id) == secret
    assert secret.encode() not in everything_stored(newsroom)
    assert secret.removeprefix("whsec_").encode() not in everything_stored(newsroom)
    with pytest.raises(AlreadyExists):
        add(newsroom, staff)
    assert newsroom.store.secret(outlet.id, outlet.secret_id) == secret


def test_a_rotated_secret_is_answered_once_and_the_event_names_only_its_id(
    newsroom: Newsroom, staff: Staff
) -> None:
    first = add(newsroom, staff)["token"]
    before = newsroom.outlet("gw")
    rotate = RotateOutletSecret(name="gw")
    rotated = newsroom.handle(Request(ADMIN, staff.clock.tick(), key="r-1"), rotate).as_dict()
    secret = rotated["token"]
    assert secret.startswith("whsec_") and secret != first
    again = newsroom.handle(Request(ADMIN, staff.clock.tick(), key="r-1"), rotate).as_dict()
    assert again["token"] is None and "shown once" in again["message"]
    outlet = newsroom.outlet("gw")
    assert outlet.secret_id != before.secret_id and outlet.version == before.version + 1
    assert newsroom.store.secret(outlet.id, outlet.secret_id) == secret
    assert newsroom.store.secret(outlet.id, before.secret_id) == first
    rotation = list(newsroom.repository.event_store.get(outlet.id))[-1]
    assert isinstance(rotation, Outlet.SecretRotated)
    assert rotation.secret_id == outlet.secret_id
    stored = everything_stored(newsroom)
    assert outlet.secret_id.encode() in stored
    assert secret.encode() not in stored and secret.removeprefix("whsec_").encode() not in stored
    with pytest.raises(NotPermitted):
        newsroom.handle(staff.req("chen"), rotate)
    newsroom.handle(Request(ADMIN, staff.clock.tick()), DeactivateOutlet(name="gw", reason="x"))
    with pytest.raises(RuleBroken):
        newsroom.handle(Request(ADMIN, staff.clock.tick()), rotate)
    assert newsroom.outlet("gw").secret_id == outlet.secret_id
    assert kept_secrets(newsroom) == 2  # the first and the rotated one: a refusal keeps none
    models = ReadModels(newsroom)
    models.start()
    trail = [entry["summary"] for entry in models.audit_entries(subject=str(outlet.id))]
    assert [t["msg"] for t in trail] == [
        "added {kind} outlet {name}",
        "rotated the signing secret of outlet {name}",
        "deactivated outlet {name}",
    ]
    assert trail[1]["args"]["name"] == "gw" and secret not in str(trail)


def kept_secrets(newsroom: Newsroom) -> int:
    with newsroom.store.engine.connect() as conn:
        return len(conn.execute(schema.signing_secrets.select()).all())


def test_outlets_are_changed_deactivated_and_listed(newsroom: Newsroom, staff: Staff) -> None:
    add(newsroom, staff)
    req = Request(ADMIN, staff.clock.tick())
    newsroom.handle(req, ChangeOutlet(name="gw", channel="weibo", url="https://gw.test/weibo"))
    with pytest.raises(InvalidValue):
        newsroom.handle(req, ChangeOutlet(name="gw", channel=None, url="https://gw.test"))
    newsroom.handle(req, DeactivateOutlet(name="gw", reason="moved to another gateway"))
    listed = outlets(newsroom)
    assert [(o["name"], o["channel"], o["url"], o["active"]) for o in listed] == [
        ("gw", "weibo", "https://gw.test/weibo", False)
    ]


def test_the_command_line_prints_the_secret_last_and_lists(settings: Settings) -> None:
    assert hub(settings, "init").returncode == 0
    added = hub(
        settings, "outlets", "add", "wechat-gw", "--kind", "webhook", "--channel", "wechat",
        "--url", "https://gw.test/wechat",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert last_line(added).startswith("whsec_")
    rotated = hub(settings, "outlets", "rotate", "wechat-gw")
    assert rotated.returncode == 0, rotated.stderr
    assert last_line(rotated).startswith("whsec_") and last_line(rotated) != last_line(added)
    unknown = hub(settings, "outlets", "rotate", "nope")
    assert unknown.returncode == 1 and "nope" in unknown.stderr
    site = hub(settings, "outlets", "add", "site", "--kind", "site", "--channel", "website")
    assert site.returncode == 0, site.stderr
    bad = hub(settings, "outlets", "add", "x", "--kind", "webhook", "--url", "https://x.test")
    assert bad.returncode == 1 and "needs a channel" in bad.stderr
    listed = hub(settings, "outlets", "list")
    assert listed.stdout.splitlines() == [
        "site\tsite\twebsite\tactive\t",
        "wechat-gw\twebhook\twechat\tactive\thttps://gw.test/wechat",
    ]
    origin = hub(
        settings, "origins", "add", "county", "--url", "https://county.test",
        stdin=last_line(added) + "\n",
    )  # fmt: skip
    assert origin.returncode == 0, origin.stderr
    # The county rotated its outlet's secret; this hub takes the new one for the same origin.
    replaced = hub(settings, "origins", "secret", "county", stdin=last_line(rotated) + "\n")
    assert replaced.returncode == 0, replaced.stderr
    assert "verified with the new secret" in replaced.stdout
    assert last_line(rotated) not in replaced.stdout + replaced.stderr
    taken = Newsroom(settings).origin("county")
    assert Newsroom(settings).store.secret(taken.id, taken.secret_id) == last_line(rotated)
    bad_secret = hub(settings, "origins", "secret", "county", stdin="not-a-secret\n")
    assert bad_secret.returncode == 1
    missing = hub(settings, "origins", "secret", "nope", stdin=last_line(rotated) + "\n")
    assert missing.returncode == 1 and "nope" in missing.stderr
