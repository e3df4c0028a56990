"""What `pip install .` ships: every data file, template and seed the package reads at run time."""
from __future__ import annotations

import configparser
import fnmatch
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _declared() -> dict[str, tuple[Path, list[str]]]:
    """Package → (its folder in the checkout, the globs setup.cfg ships from it)."""
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    dirs = dict(line.split("=") for line in cfg["options"]["package_dir"].split("\n") if "=" in line)
    dirs = {k.strip(): v.strip() for k, v in dirs.items()}
    out = {}
    for package, globs in cfg["options.package_data"].items():
        folder = ROOT / dirs.get(package, package.replace(".", "/"))
        out[package] = (folder, [g.strip() for g in globs.split(",")])
    return out


def test_every_file_the_package_reads_is_declared_in_setup_cfg():
    declared = _declared()
    assert set(declared) == {"compare.data", "compare.templates", "compare.seeds"}
    for package, (folder, globs) in declared.items():
        files = [p for p in folder.iterdir() if p.is_file() and p.name != "__init__.py"
                 and not p.name.startswith(".")]
        assert files, f"{folder} is empty"
        missing = [p.name for p in files if not any(fnmatch.fnmatch(p.name, g) for g in globs)]
        assert not missing, f"{package}: {missing} would be left out of an installed package (setup.cfg package_data)"


@pytest.mark.skipif(shutil.which("compare") is None, reason="the compare command is not installed")
def test_the_installed_tool_runs_outside_the_checkout(tmp_path):
    """From another folder the installed package is what runs, not this checkout: a data file missing
    from the install fails here, as it would for a user after `pip install .`."""
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text("第一条 为了规范地方金融组织，制定本条例。\n第二条 地方金融组织应当依法经营。\n", encoding="utf-8")
    b.write_text("第一条 为了规范地方金融组织，制定本办法。\n第二条 地方金融组织应当依法合规经营。\n", encoding="utf-8")
    done = subprocess.run([shutil.which("compare"), "run", str(a), str(b), "--corpus", str(tmp_path),
                           "-o", str(tmp_path / "r.html"), "--json", str(tmp_path / "r.json")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "第二条" in (tmp_path / "r.html").read_text(encoding="utf-8")
    where = subprocess.run([sys.executable, "-c", "import compare, sys; print(compare.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True).stdout
    assert where.strip(), "compare is not importable outside the checkout"


def test_what_the_readme_writes_into_the_checkout_is_ignored_by_git():
    """`compare reuse -o reuse/` in the checkout left an untracked reuse/. Every output the README's commands
    write into the working folder (named with -o, or by default) is in .gitignore."""
    import re

    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = {m for m in re.findall(r"-o ([\w.][\w./-]*)", readme) if m not in {"FILE", "DIR"}}
    assert {"report.html", "reuse/", "profiles.html"} <= named
    seed, other = "chengyu-western-financial-centre-plan-2021", "zj-local-finance-regulation-2020"
    defaults = {f"{seed}_vs_{other}.html", f"{seed}_vs_{other}.json",  # run's -o/--json defaults, and --json DIR/
                f"{seed}_vs_corpus/index.html", f"{seed}_vs_corpus/{seed}_vs_{other}.html"}  # run --all's default DIR
    outputs = sorted({n.rstrip("/") + ("/index.html" if n.endswith("/") else "") for n in named} | defaults)
    checked = subprocess.run(["git", "check-ignore", "--no-index", "--verbose", "--non-matching", *outputs],
                             cwd=ROOT, capture_output=True, text=True)
    not_ignored = [line.split("\t")[-1] for line in checked.stdout.splitlines() if line.startswith("::")]
    assert not not_ignored, f"outputs the README writes into the checkout that git would show: {not_ignored}"
