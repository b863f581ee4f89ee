"""Ingest: WHIP/WHEP over HTTP, the SDP checks, the passthrough receiver and its jitter buffer,
and the engine's registry of sources, publisher sessions and viewers."""
