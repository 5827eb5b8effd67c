"""How an operation runs: its execution (plain leaves the short way) and its timing."""
