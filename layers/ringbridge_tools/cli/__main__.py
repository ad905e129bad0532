"""``python -m ringbridge_tools.cli``: the ``ringbridge`` command (the tests run it so, with this Python)."""

import sys

from ringbridge_tools.cli import main

sys.exit(main())
