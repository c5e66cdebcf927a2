"""Readers for the transcript formats of DESIGN §5, one module per family of formats.

`detect` chooses the reader by the file's content (the suffix is only a hint); every reader
returns the same `ParsedTranscript` (see `parsed`), built from the file's own speaker turns.
"""
