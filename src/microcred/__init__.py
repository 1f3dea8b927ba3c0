"""microcred: the MicroHE / e-SLP micro-credential glossary as linked data, and a passport validator."""

from microcred.config import Settings, load_settings
from microcred.errors import MicrocredError

__all__ = ["MicrocredError", "Settings", "load_settings"]
__version__ = "0.1.0"
