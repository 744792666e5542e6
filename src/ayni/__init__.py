"""Ayni: plan, fund, monitor, evaluate and report a country cooperation programme for children."""

__version__ = "0.1.0"
