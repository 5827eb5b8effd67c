"""Stores of what an account configures for itself: its pacing limit, its custom fields."""
