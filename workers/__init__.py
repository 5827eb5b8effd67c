"""Dramatiq workers: `dramatiq workers` loads the broker set-up and the actors."""

from workers import actors, broker

__all__ = ["actors", "broker"]
