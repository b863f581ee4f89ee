"""The emergency-broadcast channel (应急广播): CAP documents and feed, the card, the voice, and
the supervisor that puts an approved alert on every output configured to carry it."""
