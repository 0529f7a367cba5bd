"""Roundtable: a community livestream and consultation platform."""

__version__ = "0.1.0"
