"""Who reads what: the read side of the role matrix (docs/api.md shows it as a table).

Least privilege: every role reads the read models meant for its work. The wall display reads the
wall, the live sources and outputs, the publishing matrix and the live pictures, never people's
records; a reporter reads their own assignments, commands, captures, stories and sources (what the
phone page shows); the event log and the audit trail are for auditors; a source's publish token
reads nothing, it only publishes. Admins hold every role.
"""

from __future__ import annotations

from events.roles import Role

# Everyone's assignments, the board and the capture library.
NEWSROOM = (
    Role.DISPATCHER,
    Role.TECHNICIAN,
    Role.EDITOR,
    Role.DESK_HEAD,
    Role.CHIEF_EDITOR,
    Role.AUDITOR,
)
# The wall (now and replayed), sources, outputs, the publishing matrix, WHEP pictures.
LIVE = (Role.WALL, *NEWSROOM)
# Everyone's stories and the newsroom's figures: the editorial desk and those who plan its work.
DESK = (Role.DISPATCHER, Role.EDITOR, Role.DESK_HEAD, Role.CHIEF_EDITOR, Role.AUDITOR)
# Every open dispatch command (others read those to or from them).
CONTROL_ROOM = (Role.DISPATCHER, Role.TECHNICIAN, Role.AUDITOR)
# The event log, the audit trail and its export.
LOG = (Role.AUDITOR,)
# The hub's own figures (GET /metrics), beside the scraper's HUB_METRICS_TOKEN.
OPERATIONS = (Role.TECHNICIAN,)
# Their own things only.
OWN = (Role.REPORTER,)
# Every person but a display: one's own dispatch commands.
PEOPLE = tuple(role for role in Role if role is not Role.WALL)
