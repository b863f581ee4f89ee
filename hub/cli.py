"""The `hub` command line (docs/design.md §5): init, users, sources, replay, audit, serve, demo."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from events.errors import DomainError
from events.roles import Actor, Role
from hub import cli_leads
from hub.commands.live import RegisterSource, RotateSourceToken
from hub.commands.people import ChangeRoles, DeactivateUser, RegisterUser
from hub.config import Settings
from hub.errors import HubError

# Runs the hub's web application: (settings, host=, port=, demo=, args=) -> exit status.
Server = Callable[..., int]
# Carries out one command line: (parsed arguments, settings) -> exit status.
Run = Callable[[argparse.Namespace, Settings], int]


def console_actor() -> Actor:
    """Commands typed on the hub's own machine act as its operator, named in the log."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "operator"
    return Actor(f"console:{who}", frozenset({Role.ADMIN.value}))


def now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.progress import Progress

    with Progress(transient=True, console=None) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def open_app(settings: Settings) -> Any:
    from hub.newsroom import Newsroom

    if settings.is_sqlite:
        settings.ensure_data_dir()
    return Newsroom(settings)


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings)
    if app.has_users():
        print(f"the store at {settings.database_url} is initialised already", file=sys.stderr)
        return 1
    password = _read_password(args) if args.password else None
    done = app.handle(
        _request(),
        RegisterUser(
            name=args.admin,
            roles=[Role.ADMIN.value],
            display_name=args.display_name or "Administrator",
            password=password,
        ),
    )
    print(f"store ready at {settings.database_url}; first admin: {args.admin}")
    print(done.extra["token"])
    return 0


def cmd_users_add(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings)
    password = _read_password(args) if args.password else None
    command = RegisterUser(
        name=args.name, roles=args.role, display_name=args.display_name or "", password=password
    )
    said = f"user {args.name} registered with roles {', '.join(args.role)}"
    return _handled(app, command, said, secret=True)


def cmd_sources_add(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings)
    command = RegisterSource(name=args.name, kind=args.kind, owner=args.owner)
    said = f"{args.kind} source {args.name} registered; publish to /whip/{args.name} with:"
    return _handled(app, command, said, secret=True)


def cmd_users_deactivate(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings)
    said = f"user {args.name} deactivated: their sessions and tokens stop working now"
    return _handled(app, DeactivateUser(name=args.name, reason=args.reason), said)


def cmd_users_roles(args: argparse.Namespace, settings: Settings) -> int:
    roles = [role.strip() for role in args.set.split(",") if role.strip()]
    command = ChangeRoles(name=args.name, roles=roles, reason=args.reason)
    said = f"user {args.name} now holds {', '.join(command.roles)}"
    return _handled(open_app(settings), command, said)


def cmd_sources_rotate(args: argparse.Namespace, settings: Settings) -> int:
    app = open_app(settings)
    said = f"source {args.name} has a new publish token; the old one no longer publishes:"
    return _handled(app, RotateSourceToken(name=args.name), said, secret=True)


def cmd_outlets_add(args: argparse.Namespace, settings: Settings) -> int:
    from hub.commands.outlets import AddOutlet

    command = AddOutlet(name=args.name, kind=args.kind, channel=args.channel, url=args.url or "")
    app = open_app(settings)
    where = f"channel {args.channel}" if args.channel else "every channel"
    said = f"{args.kind} outlet {args.name} added for {where}; it signs with this secret:"
    return _handled(app, command, said, secret=True)


def cmd_outlets_list(args: argparse.Namespace, settings: Settings) -> int:
    from hub.delivery.listing import outlets

    for outlet in outlets(open_app(settings)):
        state = "active" if outlet["active"] else "deactivated"
        channel = outlet["channel"] or "*"
        print(f"{outlet['name']}\t{outlet['kind']}\t{channel}\t{state}\t{outlet['url']}")
    return 0


def cmd_outlets_rotate(args: argparse.Namespace, settings: Settings) -> int:
    from hub.commands.outlets import RotateOutletSecret

    app = open_app(settings)
    said = f"outlet {args.name} has a new signing secret; what is sent from now on is signed with:"
    return _handled(app, RotateOutletSecret(name=args.name), said, secret=True)


def cmd_outlets_deactivate(args: argparse.Namespace, settings: Settings) -> int:
    from hub.commands.outlets import DeactivateOutlet

    app = open_app(settings)
    said = f"outlet {args.name} deactivated: nothing more is delivered to it"
    return _handled(app, DeactivateOutlet(name=args.name, reason=args.reason), said)


def cmd_origins_add(args: argparse.Namespace, settings: Settings) -> int:
    from hub.commands.submissions import RegisterOrigin

    secret = _origin_secret(args.name)
    app = open_app(settings)
    said = f"origin {args.name} registered: its signed submissions are taken"
    return _handled(app, RegisterOrigin(name=args.name, url=args.url, secret=secret), said)


def cmd_origins_secret(args: argparse.Namespace, settings: Settings) -> int:
    from hub.commands.submissions import ReplaceOriginSecret

    secret = _origin_secret(args.name, "new ")
    app = open_app(settings)
    said = f"origin {args.name}: its submissions are verified with the new secret from now on"
    return _handled(app, ReplaceOriginSecret(name=args.name, secret=secret), said)


def _origin_secret(name: str, new: str = "") -> str:
    """The secret an origin's outlet printed, from standard input (or asked for on a terminal)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().strip()
    return getpass.getpass(f"{new}signing secret of {name}'s outlet: ")


def parse_moment(text: str) -> int | datetime:
    """A position (digits) or an ISO 8601 time (UTC if it names no zone)."""
    if text.isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither a position nor an ISO time"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cmd_replay(args: argparse.Namespace, settings: Settings) -> int:
    from hub.readmodels import ReadModels
    from hub.wall_text import render_wall

    app = open_app(settings)
    models = ReadModels(app)
    position = args.at if isinstance(args.at, int) else models.position_at(args.at)
    replayed = models.replay(position)
    wall = replayed.wall.state()
    if args.json:
        print(json.dumps(wall, ensure_ascii=False, indent=2))
    else:
        moment = args.at if isinstance(args.at, datetime) else None
        print(render_wall(wall, at=moment))
    return 0


def cmd_audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    from hub.audit import head_from_export, verify

    app = open_app(settings)
    checkpoint = head_from_export(Path(args.checkpoint).read_text()) if args.checkpoint else None
    with progress_bar("verifying the chain") as progress:
        verdict = verify(app.store, checkpoint=checkpoint, progress=progress)
    if verdict.ok:
        print(
            f"ok: {verdict.checked} events verified; chain head at position "
            f"{verdict.head.position} {verdict.head.hash.hex()}"
        )
        return 0
    print(f"TAMPERED at position {verdict.bad_position}: {verdict.problem}", file=sys.stderr)
    return 1


def cmd_audit_export(args: argparse.Namespace, settings: Settings) -> int:
    from hub.audit import export

    app = open_app(settings)
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        with progress_bar("exporting the log") as progress:
            for line in export(app.store, app.mapper.transcoder, args.format, progress=progress):
                out.write(line)
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def cmd_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    from hub.readmodels import ReadModels

    app = open_app(settings)
    models = ReadModels(app)
    with progress_bar("rebuilding read models") as progress:
        models.rebuild(progress=progress)
    print(f"read models rebuilt up to position {models.position}")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    serve: Server | None = args.server
    if serve is None:
        print("hub: serve and demo run from the `hub` console script (web/cli.py)", file=sys.stderr)
        return 2
    demo = args.command == "demo"
    if demo and "HUB_OUTPUT_PRESET" not in os.environ:
        # The demo's cameras run on the same machine: the cheapest program encode leaves room.
        settings = dataclasses.replace(settings, output_preset="ultrafast")
    return serve(settings, host=args.host, port=args.port, demo=demo, args=args)


def _handled(app: Any, command: Any, said: str, *, secret: bool = False) -> int:
    """Handles a console command and says what it did; with `secret`, the token or secret the
    command made follows alone on the last line, where a script takes it from."""
    done = app.handle(_request(), command)
    print(said)
    if secret:
        print(done.extra["token"])
    return 0


def _request() -> Any:
    from hub.newsroom import Request

    return Request(console_actor(), now())


def _read_password(args: argparse.Namespace) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass(f"password for {getattr(args, 'name', None) or args.admin}: ")


def command_group(commands: Any, name: str, text: str) -> Any:
    """`hub NAME ...`: a command with subcommands of its own."""
    group = commands.add_parser(name, help=text)
    return group.add_subparsers(dest=f"{name}_command", required=True)


def named_command(group: Any, name: str, text: str, run: Run) -> argparse.ArgumentParser:
    """A subcommand on one thing given by its name (the first argument), carried out by `run`."""
    command: argparse.ArgumentParser = group.add_parser(name, help=text)
    command.add_argument("name")
    command.set_defaults(run=run)
    return command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hub", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    for name, text in (("serve", "run the hub"), ("demo", "run the hub with a seeded newsroom")):
        serve = commands.add_parser(name, help=text)
        serve.add_argument("--host", default="127.0.0.1")
        serve.add_argument("--port", type=int, default=8000)
        serve.add_argument("--certfile", help="TLS certificate (PEM) for HTTPS")
        serve.add_argument("--keyfile", help="TLS private key (PEM)")
        serve.add_argument(
            "--self-signed", action="store_true", help="serve HTTPS with a generated certificate"
        )
        serve.set_defaults(run=cmd_serve)

    init = commands.add_parser("init", help="create the store and a first admin")
    init.add_argument("--admin", default="admin", help="name of the first admin (default admin)")
    init.add_argument("--display-name", default="")
    init.add_argument("--password", action="store_true", help="read a password (stdin or prompt)")
    init.set_defaults(run=cmd_init)

    users = command_group(commands, "users", "manage users")
    add_user = named_command(
        users, "add", "register a user and print a bearer token", cmd_users_add
    )
    add_user.add_argument(
        "--role", action="append", required=True, help="a role; repeat for several"
    )
    add_user.add_argument("--display-name", default="")
    add_user.add_argument("--password", action="store_true", help="read a password")
    deactivate = named_command(
        users, "deactivate", "end a person's access at once", cmd_users_deactivate
    )
    deactivate.add_argument("--reason", required=True)
    roles = named_command(users, "roles", "set a person's roles", cmd_users_roles)
    roles.add_argument("--set", required=True, help="the roles, comma-separated")
    roles.add_argument("--reason", required=True)

    sources = command_group(commands, "sources", "manage live sources")
    add_source = named_command(
        sources, "add", "register a live source and print its token", cmd_sources_add
    )
    add_source.add_argument("--kind", required=True, choices=["phone", "truck", "encoder"])
    add_source.add_argument("--owner", default=None, help="the user who publishes it")
    named_command(sources, "rotate", "give a source a new token and print it", cmd_sources_rotate)

    outlets = command_group(commands, "outlets", "where products are delivered")
    add_outlet = named_command(
        outlets, "add", "add an outlet and print its signing secret", cmd_outlets_add
    )
    add_outlet.add_argument("--kind", required=True, choices=["site", "webhook", "hub"])
    add_outlet.add_argument("--channel", default=None, help="its channel (a hub: all if absent)")
    add_outlet.add_argument("--url", default="", help="where it is reached (not for a site)")
    list_outlets = outlets.add_parser("list", help="list the outlets")
    list_outlets.set_defaults(run=cmd_outlets_list)
    named_command(
        outlets, "rotate", "give it a new signing secret and print it", cmd_outlets_rotate
    )
    deactivate_outlet = named_command(
        outlets, "deactivate", "deliver nothing more to it", cmd_outlets_deactivate
    )
    deactivate_outlet.add_argument("--reason", required=True)

    origins = command_group(commands, "origins", "hubs whose submissions this hub takes")
    add_origin = named_command(
        origins,
        "add",
        "register a hub; its outlet's signing secret is read from standard input",
        cmd_origins_add,
    )
    add_origin.add_argument("--url", required=True, help="where the origin hub answers")
    named_command(
        origins,
        "secret",
        "take the new signing secret of a hub's outlet, read from standard input",
        cmd_origins_secret,
    )

    replay = commands.add_parser("replay", help="print the wall as it was at a moment")
    replay.add_argument("--at", required=True, type=parse_moment, help="ISO time or position")
    replay.add_argument("--json", action="store_true", help="print the wall as JSON")
    replay.set_defaults(run=cmd_replay)

    audit = command_group(commands, "audit", "verify or export the log")
    verify = audit.add_parser("verify", help="exit 0 only when the whole log verifies")
    verify.add_argument("--checkpoint", help="a JSON-lines export whose chain head must hold")
    verify.set_defaults(run=cmd_audit_verify)
    export = audit.add_parser("export", help="export every event and the chain head")
    export.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.set_defaults(run=cmd_audit_export)

    projections = command_group(commands, "projections", "read models")
    rebuild = projections.add_parser("rebuild", help="fold the whole log again")
    rebuild.set_defaults(run=cmd_rebuild)
    cli_leads.add_commands(commands)
    return parser


def main(argv: list[str] | None = None, *, server: Server | None = None) -> int:
    """The command line; `server` runs the web application (`hub serve`, `hub demo`): the
    `hub` console script (web/cli.py) passes it, the application knows no web server."""
    args = build_parser().parse_args(argv)
    args.server = server
    settings = Settings()
    try:
        result: int = args.run(args, settings)
    except (DomainError, HubError) as error:
        print(f"hub: {error.message}", file=sys.stderr)
        return 1
    except ValidationError as error:
        for problem in error.errors(include_url=False):
            where = ".".join(str(part) for part in problem["loc"])
            given = problem.get("input")
            shown = f" (not {given!r})" if isinstance(given, str | int | float) else ""
            print(f"hub: {where}: {problem['msg']}{shown}", file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
