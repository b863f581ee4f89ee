"""The 舆情 desk's live side: reading Chinese text, taking items in, polling feeds, escalating."""
