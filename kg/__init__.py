"""kg: journal exports -> validated linked-open-data knowledge graph."""

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "kg-journals"  # the name on the package index; the command and the import package are `kg`

try:
    # One place for the version: the package metadata, from pyproject.toml. build.json, the provenance of
    # every graph, the service description, the VoID and `kg --version` all read it from here.
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
