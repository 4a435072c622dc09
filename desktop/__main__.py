"""``python -m desktop`` runs the ``duban`` command."""

import sys

from desktop.cli import main

sys.exit(main())
