"""What the hub reads from encoded frames (key frame, size) and how it puts them into containers
without opening a codec."""
