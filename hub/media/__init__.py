"""The media engine: WHIP ingest, encoded-frame relay, recordings and program outputs."""
