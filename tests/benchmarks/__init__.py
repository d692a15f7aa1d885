"""The benchmarks and the synthetic corpus they build: developer tools, not part of the installed package.

- ``build_bench``: ``kg bench`` (from a clone), the build's stages on a synthetic corpus.
  Its figures and targets: ``build_report``; ``oxigraph load`` of the build's dump: ``store_load``; memory of a
  stage's process tree: ``memory``.
- ``server_bench``: ``python -m tests.benchmarks.server_bench DIR``, the endpoint against other servers.
- ``synthetic``: ``python -m tests.benchmarks.synthetic OUT N``, a corpus of journal exports of any size.
"""
