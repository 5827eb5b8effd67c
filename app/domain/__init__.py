"""What a bulk action is: entities, action types, stored documents, statuses, errors.

Imports nothing else of the application: every other layer builds on this one.
"""
