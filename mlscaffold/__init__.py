"""Scaffold, upgrade and audit standardized ML repositories."""

__version__ = "0.4.1"
