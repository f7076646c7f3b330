"""klyngerapport: the annual follow-up of the regional cluster offices in KKR Sjælland."""

__version__ = "0.1.0"
