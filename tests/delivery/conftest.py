"""A running hub for the delivery tests: the web tests' fixtures."""

from tests.web.conftest import client, hub_url

__all__ = ["client", "hub_url"]
