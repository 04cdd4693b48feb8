"""The answer as it streams: fields, code with its diff, the check's verdict."""
