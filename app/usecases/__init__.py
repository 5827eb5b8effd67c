"""What the API asks of the platform: create, control, read and limit actions, follow them
live. Each module is one group of use cases, always scoped to the caller's account."""
