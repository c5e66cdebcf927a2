"""The `coder` command line: one module per family of commands, assembled in `app`.

A thin face over the core: each command parses its options, calls one core
function and prints the result. To add a family, write its module and register
its commands in `coder.cli.app`.
"""
