"""The codebook: the YAML file researchers write, and the codes it puts in a study."""
