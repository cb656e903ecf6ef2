"""Rasa SDK custom actions: thin adapters over :mod:`bot.policy`."""
