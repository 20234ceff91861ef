#!/usr/bin/env python3
"""Entry point: `python run_sim.py [validate|run] ...`; with no arguments runs the Tongdao scenario."""

import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
