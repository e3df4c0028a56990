"""What every benchmark shares."""
import os
import shutil
import subprocess
from pathlib import Path


def user_environ() -> dict:
    """The environment of a measured process, as on a user's machine: Python writes and reads its bytecode.

    These machines set PYTHONDONTWRITEBYTECODE, which makes every process compile the package from source
    (about 0.2 s), a cost no installed copy pays.
    """
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def two_trees(root: Path, against: str, work: Path) -> tuple[Path, Path]:
    """(``against``'s tree, this tree), both copied under ``work``: the commit by git archive, this tree's files
    as they stand (committed or not). Run from the checkout, the same code measured 17 ms slower than from a
    copy, which would bias every comparison."""
    other, this = work / "against", work / "this"
    other.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", against], cwd=root, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(other)], input=archive, check=True)
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                           check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if (root / name).is_file():
            (this / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, this / name)
    return other, this
