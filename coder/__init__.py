"""coder: a qualitative coding workbench for the terminal.

The package is layered as DESIGN §2 says: storage (`db`, `models`), the codebook
(`codebook`), transcript reading and segmentation (`transcripts`, `segment`),
import (`importer`), study queries (`study`), and the faces on top (`cli`, `tui/`).
Everything except `cli` and `tui` is a library with no Textual or Click imports.
"""

__version__ = "0.1.0"
