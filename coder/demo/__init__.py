"""The demo study: the shipped codebook and interviews, and two researchers' recorded coding."""
