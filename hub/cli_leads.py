"""`hub leads ...`: import a CSV of leads, give a sending system its secret, add a department."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from hub.config import Settings


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from hub.cli import console_actor, now, open_app
    from hub.leads_import import import_file

    app = open_app(settings)
    try:
        result = import_file(app, Path(args.file), args.source, console_actor(), now())
    finally:
        app.close()
    for line, why in result.refused:
        print(f"line {line}: {why}", file=sys.stderr)
    print(f"{result.made} new, {result.known} known already, {len(result.refused)} refused")
    return 1 if result.refused else 0


def cmd_source(args: argparse.Namespace, settings: Settings) -> int:
    from hub.cli import now, open_app
    from hub.intake import IntakeSources

    app = open_app(settings)
    try:
        secret = IntakeSources(app.store).add(args.name, now())
    except ValueError as error:
        print(f"hub: {error}", file=sys.stderr)
        return 1
    finally:
        app.close()
    print(f"source {args.name} signs webhooks to /api/intake/{args.name} (and is an Open311")
    print("api_key) with this secret; any earlier one stops working now:")
    print(secret)
    return 0


def cmd_department(args: argparse.Namespace, settings: Settings) -> int:
    from hub.cli import _request, open_app
    from hub.commands.leads import AddDepartment

    app = open_app(settings)
    try:
        app.handle(_request(), AddDepartment(name=args.name, contacts=args.contacts))
    finally:
        app.close()
    print(f"department {args.name} added")
    return 0


def add_commands(commands: Any) -> None:
    from hub.cli import command_group, named_command

    leads = command_group(commands, "leads", "tips and complaints")
    importing = leads.add_parser("import", help="take leads from a CSV file (idempotent)")
    importing.add_argument("file")
    importing.add_argument("--source", required=True, help="the sending system's name")
    importing.set_defaults(run=cmd_import)
    named_command(leads, "source", "make a sending system's secret and print it", cmd_source)
    department = named_command(leads, "department", "add a county department", cmd_department)
    department.add_argument("--contacts", default="")
