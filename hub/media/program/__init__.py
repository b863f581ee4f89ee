"""Program outputs: the bus that picks the source on air, the mixer with its slate and captions,
one encode per output, and its sinks (HLS, RTMP, the monitor feed)."""
