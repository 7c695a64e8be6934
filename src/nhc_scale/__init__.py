"""nhc-scale: measure the minimum assistance of assisted Nordic hamstring curls."""

__version__ = "0.1.0"
