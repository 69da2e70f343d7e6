"""Errors that the command line turns into a one-line message and exit status 2."""


class UsageError(ValueError):
    """Bad input from the user: the message says what was wrong and how to fix it."""
