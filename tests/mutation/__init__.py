"""`make mutate`: mutation testing one group of modules at a time, each with its own test selection (groups.py)."""
