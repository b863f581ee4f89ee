"""Clips: cut from a video capture in the background and registered as captures of their own."""
