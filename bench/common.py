"""What every benchmark shares."""
import os


def user_environ() -> dict:
    """The environment of a measured process, as on a user's machine: Python writes and reads its bytecode.

    These machines set PYTHONDONTWRITEBYTECODE, which makes every process compile the package from source
    (about 0.2 s), a cost no installed copy pays.
    """
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
