"""The `hub` command line, run as a separate process against both databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hub.config import Settings
from hub.newsroom import Newsroom

HUB = [str(Path(sys.executable).parent / "hub")]


def hub(
    settings: Settings, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HUB_DATABASE_URL": settings.database_url,
        "HUB_DATA_DIR": str(settings.data_dir),
    }
    return subprocess.run(
        [*HUB, *args], env=env, capture_output=True, text=True, input=stdin, timeout=60
    )


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout.strip().splitlines()[-1]


def test_init_then_users_and_sources_print_tokens_last(settings: Settings) -> None:
    init = hub(settings, "init")
    assert init.returncode == 0, init.stderr
    assert last_line(init).startswith("hub_")
    again = hub(settings, "init")
    assert again.returncode == 1 and "initialised already" in again.stderr

    user = hub(
        settings,
        "users",
        "add",
        "rui",
        "--role",
        "reporter",
        "--password",
        stdin="a-long-password\n",
    )
    assert user.returncode == 0, user.stderr
    assert last_line(user).startswith("hub_")
    duplicate = hub(settings, "users", "add", "rui", "--role", "reporter")
    assert duplicate.returncode == 1 and "exists already" in duplicate.stderr
    bad_role = hub(settings, "users", "add", "x", "--role", "boss")
    assert bad_role.returncode == 1 and "roles.0" in bad_role.stderr and "'boss'" in bad_role.stderr
    short = hub(settings, "users", "add", "x", "--role", "editor", "--password", stdin="pw\n")
    assert short.returncode == 1 and "password: String should have at least 8" in short.stderr

    source = hub(settings, "sources", "add", "rui-phone", "--kind", "phone", "--owner", "rui")
    assert source.returncode == 0, source.stderr
    token = last_line(source)
    assert token.startswith("hub_")
    unknown_owner = hub(settings, "sources", "add", "p2", "--kind", "phone", "--owner", "nobody")
    assert unknown_owner.returncode == 1 and "no user 'nobody'" in unknown_owner.stderr


def test_people_and_sources_are_changed_from_the_console(settings: Settings) -> None:
    assert hub(settings, "init").returncode == 0
    assert hub(settings, "users", "add", "rui", "--role", "reporter").returncode == 0
    roles = hub(settings, "users", "roles", "rui", "--set", "reporter, editor", "--reason", "desk")
    assert roles.returncode == 0 and "reporter, editor" in roles.stdout, roles.stderr
    source = hub(settings, "sources", "add", "cam", "--kind", "encoder")
    rotated = hub(settings, "sources", "rotate", "cam")
    assert rotated.returncode == 0, rotated.stderr
    assert last_line(rotated).startswith("hub_") and last_line(rotated) != last_line(source)
    gone = hub(settings, "users", "deactivate", "rui", "--reason", "left the centre")
    assert gone.returncode == 0, gone.stderr
    again = hub(settings, "users", "deactivate", "rui", "--reason", "twice")
    assert again.returncode == 1 and "deactivated" in again.stderr
    newsroom = Newsroom(settings)
    try:
        rui = newsroom.user("rui")
        assert not rui.active and rui.roles == ("editor", "reporter")
    finally:
        newsroom.close()


def test_replay_prints_the_wall_as_it_was(settings: Settings) -> None:
    assert hub(settings, "init").returncode == 0
    assert hub(settings, "users", "add", "rui", "--role", "reporter").returncode == 0
    before = hub(settings, "replay", "--at", "2")
    assert before.returncode == 0, before.stderr
    assert "rui" not in before.stdout and "position 2" in before.stdout
    after = hub(settings, "replay", "--at", "4", "--json")
    assert json.loads(after.stdout)["people"]["rui"]["state"] == "idle"
    by_time = hub(settings, "replay", "--at", "2000-01-01T00:00:00Z")
    assert "position 0" in by_time.stdout
    bad = hub(settings, "replay", "--at", "yesterday")
    assert bad.returncode == 2 and "neither a position nor an ISO time" in bad.stderr


def test_audit_verify_and_export(settings: Settings, tmp_path: Path) -> None:
    assert hub(settings, "init").returncode == 0
    assert hub(settings, "users", "add", "rui", "--role", "reporter").returncode == 0
    ok = hub(settings, "audit", "verify")
    assert ok.returncode == 0 and "4 events verified" in ok.stdout

    exported = tmp_path / "log.jsonl"
    assert (
        hub(settings, "audit", "export", "--format", "jsonl", "-o", str(exported)).returncode == 0
    )
    lines = [json.loads(line) for line in exported.read_text().splitlines()]
    assert [line.get("type") for line in lines[:-1]] == [
        "User.Registered",
        "User.TokenIssued",
        "User.Registered",
        "User.TokenIssued",
    ]
    assert lines[1]["payload"]["token_hash"] == "(hidden)"
    assert lines[-1]["chain_head"]["position"] == 4
    csv_out = hub(settings, "audit", "export", "--format", "csv")
    rows = csv_out.stdout.strip().splitlines()
    assert rows[0].startswith("position,recorded_at") and rows[-1].startswith("chain_head")

    newsroom = Newsroom(settings)
    with newsroom.store.write_cursor() as cur:
        cur.execute(newsroom.store.sql.placeholders("DELETE FROM hub_events WHERE id = ?"), (3,))
    newsroom.close()
    tampered = hub(settings, "audit", "verify")
    assert tampered.returncode == 1
    assert "TAMPERED at position 3" in tampered.stderr
    with_checkpoint = hub(settings, "audit", "verify", "--checkpoint", str(exported))
    assert with_checkpoint.returncode == 1


@pytest.mark.parametrize("args", [["users"], ["audit", "export", "--format", "xml"]])
def test_usage_errors_exit_2(settings: Settings, args: list[str]) -> None:
    assert hub(settings, *args).returncode == 2
