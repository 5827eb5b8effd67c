"""The worker-side pipeline: plan an action into chunks, admit each under its account's limit,
process it with one bulk_write, record its outcomes, and move the action through its lifecycle.
"""
