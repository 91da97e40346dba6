"""Typer command modules; each exposes ``register(app)`` and ``assistant.cli`` registers them."""
