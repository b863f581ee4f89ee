"""Delivery of products to outlets: the outbox, the one port and its adapters, the ninjs document.

Exception tree: none of its own; a failed send is an outcome (`ports.Outcome`), never raised.
"""
