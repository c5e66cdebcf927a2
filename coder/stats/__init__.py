"""Agreement between coders: the statistics as pure functions, and the ratings and units
they are computed on, from a ratings file or from a study."""
