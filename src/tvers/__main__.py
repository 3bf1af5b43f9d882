"""`python -m tvers`: the same CLI as the `tvers` command."""

from tvers.cli import main

main()
