"""kg: journal exports -> validated linked-open-data knowledge graph."""

__version__ = "0.1.0"
