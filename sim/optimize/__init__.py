"""Optimisation on top of the simulator: phasing of projects under funding envelopes (MILP on
HiGHS) and its stochastic re-check.  See docs/optimise.md."""
