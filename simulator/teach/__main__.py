"""``python -m simulator.teach``: the same as ``servsim teach``."""

from simulator.cli.teach import teach_command

teach_command(prog_name="servsim teach")
