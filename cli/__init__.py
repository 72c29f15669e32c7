"""`python -m cli`: the operator's command-line tool (one entry point, subcommands)."""
