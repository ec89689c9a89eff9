import sys

from sync_engine.cli import main

sys.exit(main())
