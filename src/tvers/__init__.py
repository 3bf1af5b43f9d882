"""Tvers: one unified commerce platform under every sales channel."""

__version__ = "0.1.0"
