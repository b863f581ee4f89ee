"""The `hub` console script: the command line of hub/cli.py, with this web application as what
`hub serve` and `hub demo` run."""

from __future__ import annotations

import sys

from hub import cli
from web.server import serve


def main(argv: list[str] | None = None) -> int:
    return cli.main(argv, server=serve)


if __name__ == "__main__":
    sys.exit(main())
