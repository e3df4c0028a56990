"""compare: section-by-section comparison of Chinese policy plans."""
__version__ = "0.1.0"
