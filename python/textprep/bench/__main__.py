"""``python -m textprep.bench [textprep bench options]``; also the child process entry of the runner."""

from __future__ import annotations

import sys

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        from .runner import child_main

        sys.exit(child_main(sys.argv[2:]))
    from ..cli import main

    sys.exit(main(["bench", *sys.argv[1:]]))
