"""Entry points: the composition root (``bootstrap``, ``contexts``), the
command line (``cli``), serving (``serving``), demos and the docs generator.
The only part of ``infra`` that imports ``api``."""
