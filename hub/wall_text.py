"""The wall as plain text, for `hub replay` and the terminal (in English, as the CLI speaks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from events.messages import from_json

BOARD_ORDER = ("planned", "assigned", "accepted", "declined", "on_scene", "filed")


def render_wall(wall: dict[str, Any], at: datetime | None = None) -> str:
    """Renders the wall's sections as a readable report."""
    lines: list[str] = []
    moment = at.isoformat() if at else wall.get("as_at") or "the beginning"
    lines.append(f"WALL as at {moment} (position {wall['position']})")
    live = [s for s in wall["sources"].values() if s["state"] != "idle"]
    lines.append(f"\nLIVE SOURCES ({len(live)} of {len(wall['sources'])})")
    for s in wall["sources"].values():
        where = f" - {s['assignment_title']}" if s.get("assignment_title") else ""
        lines.append(f"  {s['name']:<16} {s['kind']:<8} {s['state']:<12}{where}")
    lines.append("\nOUTPUTS")
    for o in wall["outputs"].values():
        lines.append(
            f"  {o['name']:<16} {o['state']:<8} on air: {o['on_air'] or '-'}"
            f" (program {o['source'] or '-'}, backup {o['backup'] or '-'})"
        )
    lines.append("\nASSIGNMENTS")
    by_state: dict[str, list[dict[str, Any]]] = {}
    for a in wall["assignments"].values():
        by_state.setdefault(a["state"], []).append(a)
    for state in BOARD_ORDER:
        items = by_state.get(state, [])
        lines.append(f"  {state.replace('_', ' '):<10} {len(items)}")
        for a in items:
            who = f" ({a['reporter']})" if a["reporter"] else ""
            lines.append(f"      {a['title']}{who}")
    lines.append("\nPEOPLE")
    for p in wall["people"].values():
        lines.append(f"  {p['name']:<16} {p['state']}")
    lines.append(f"\nUNACKNOWLEDGED COMMANDS ({len(wall['commands'])})")
    for c in wall["commands"].values():
        lines.append(f"  to {c['to']}: {c['text']!r} since {c['issued_at']} ({c['state']})")
    lines.append("\nREVIEW QUEUES")
    for level in ("first", "second", "final"):
        waiting = [r for r in wall["reviews"].values() if r["level_name"] == level]
        lines.append(f"  {level:<7} {len(waiting)}  " + "; ".join(r["title"] for r in waiting))
    lines.append("\nPUBLICATIONS")
    for p in wall["publications"][-10:]:
        lines.append(f"  {p['at']} {p['action']} {p['title']!r} {', '.join(p['channels'])}")
    lines.append("\nALERTS")
    for alert in wall["alerts"][-10:]:
        lines.append(f"  {alert['at']} [{alert['severity']}] {from_json(alert)}")
    return "\n".join(lines)
