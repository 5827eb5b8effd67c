"""Outbound HTTP: webhook requests, made safe."""
