"""reec: China's rare-earth export-control regime as code."""

__version__ = "0.1.0"
