"""Configuration from the environment: where the data lives and which database holds the store."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from pathlib import Path


def normalise_database_url(url: str) -> str:
    """Accepts the usual spellings of a PostgreSQL URL and selects the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _flag(value: str) -> bool:
    return value.strip().lower() not in ("off", "0", "no", "false")


@dataclass(frozen=True)
class Settings:
    """Where the hub keeps its things and whom it trusts, from the environment.

    HUB_DATA_DIR (default ./data), HUB_DATABASE_URL (default SQLite in the data folder),
    HUB_CENTRE_NAME, and HUB_ICE_SERVERS (comma-separated stun:/turn: URLs; none by default, so
    nothing outside is contacted) with HUB_TURN_USERNAME / HUB_TURN_PASSWORD for TURN.
    HUB_METRICS_TOKEN: the bearer token a Prometheus scraper sends for GET /metrics (unset: only
    technicians and admins read it).
    Live media: HUB_MEDIA (on; off on a node that serves only pages and the API),
    HUB_OUTPUT_PRESET (libx264 preset of the program outputs, veryfast) and HUB_STALL_TIMEOUT_MS
    (how long a program source may stall before its output fails over, 500).
    Delivery: HUB_PUBLIC_URL (where outlets and other hubs reach this hub: the products' URIs,
    their media, the address decisions come back to) and HUB_NODE_NAME (this node's name in a
    delivery's attempts; the host name by default, and different on each node of one store).
    """

    data_dir: Path = field(default_factory=lambda: Path(os.environ.get("HUB_DATA_DIR", "data")))
    database_url: str = ""
    centre_name: str = field(
        default_factory=lambda: os.environ.get("HUB_CENTRE_NAME", "县融媒体中心")
    )

    cap_sender: str = field(
        default_factory=lambda: os.environ.get("HUB_CAP_SENDER", "alerts@hub.invalid")
    )
    # The outputs an approved emergency alert pre-empts: "*" (every output, the default) or names.
    emergency_outputs: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            name.strip()
            for name in os.environ.get("HUB_EMERGENCY_OUTPUTS", "*").split(",")
            if name.strip()
        )
    )
    ice_servers: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            url.strip() for url in os.environ.get("HUB_ICE_SERVERS", "").split(",") if url.strip()
        )
    )
    turn_username: str = field(default_factory=lambda: os.environ.get("HUB_TURN_USERNAME", ""))
    turn_password: str = field(default_factory=lambda: os.environ.get("HUB_TURN_PASSWORD", ""))
    metrics_token: str = field(
        default_factory=lambda: os.environ.get("HUB_METRICS_TOKEN", "").strip()
    )
    media: bool = field(default_factory=lambda: _flag(os.environ.get("HUB_MEDIA", "on")))
    output_preset: str = field(
        default_factory=lambda: os.environ.get("HUB_OUTPUT_PRESET", "veryfast")
    )
    public_url: str = field(
        default_factory=lambda: os.environ.get("HUB_PUBLIC_URL", "http://127.0.0.1:8000").rstrip(
            "/"
        )
    )
    node: str = field(
        default_factory=lambda: os.environ.get("HUB_NODE_NAME", "") or socket.gethostname()
    )
    stall_timeout: float = field(
        default_factory=lambda: float(os.environ.get("HUB_STALL_TIMEOUT_MS", "500")) / 1000
    )

    def __post_init__(self) -> None:
        url = self.database_url or os.environ.get("HUB_DATABASE_URL", "")
        if not url:
            url = f"sqlite:///{(self.data_dir / 'hub.sqlite3').resolve()}"
        object.__setattr__(self, "database_url", normalise_database_url(url))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def carries_emergencies(self, output: str) -> bool:
        """Whether an approved emergency alert pre-empts `output` (HUB_EMERGENCY_OUTPUTS)."""
        return "*" in self.emergency_outputs or output in self.emergency_outputs

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir
