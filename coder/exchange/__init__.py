"""Exchange with other QDA software through REFI-QDA: codebooks (`.qdc`) and whole
projects (`.qdpx`), in and out."""
