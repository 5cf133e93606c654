"""``python -m backprop``: the command line (see ``backprop.cli``)."""

from backprop.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
