"""`python -m coder.cli`: the same as the `coder` console script."""

from coder.cli.app import main

main()
