"""Code only tests and benches use: a test card publisher, pattern read-back, a WHEP viewer."""
