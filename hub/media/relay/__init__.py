"""Relay: encoded frames and their bounded fan-out to every consumer, the per-output decode lanes,
and the shared transcodes for viewers that cannot take a source's codec."""
