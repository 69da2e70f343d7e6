"""One module per ``boolnet`` subcommand (see :mod:`boolnet.cli`)."""
