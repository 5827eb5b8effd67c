"""Stores of claims: documents whose `_id` is what they claim, so that the server's unique
index decides, on mongod as on FerretDB, which of two writers racing for it got it."""
