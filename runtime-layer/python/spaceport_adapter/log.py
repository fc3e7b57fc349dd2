import sys


def log(message):
    """The adapter's own log lines, told apart from the app's by their prefix."""
    sys.stderr.write(f"[spaceport] {message}\n")
    sys.stderr.flush()
