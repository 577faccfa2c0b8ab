"""The `ocppscope` subcommands, one module each; `app.cli` wires them into argparse."""
