"""Getting transcripts in: decoding files, reading transcript formats, segmenting turns
into sentences, and the all-or-nothing importer that stores them."""
