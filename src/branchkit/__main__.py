"""Allow ``python -m branchkit``."""

from branchkit.cli import main

if __name__ == "__main__":
    main()
