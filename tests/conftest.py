"""Shared fixtures. Tests that need the real plans in ../shared/corpus skip where it is absent."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
SEED = ROOT / "seeds" / "chengyu-western-financial-centre-plan-2021.md"


def real_corpus_files() -> list[Path]:
    return sorted(SHARED_CORPUS.glob("*.md")) if SHARED_CORPUS.is_dir() else []


needs_corpus = pytest.mark.skipif(
    not real_corpus_files(), reason=f"the real plans are not here: {SHARED_CORPUS} is absent (fresh clone without ../shared)"
)


def pytest_sessionstart(session):
    """In CI (CI=true) the real plans must be there, as the browser must: a skip would hide a broken setup."""
    if os.environ.get("CI") and not real_corpus_files():
        pytest.exit(f"CI is set but the real plans are not here: {SHARED_CORPUS} is absent", returncode=1)


@pytest.fixture
def shared_corpus() -> Path:
    if not real_corpus_files():
        pytest.skip(f"the real plans are not here: {SHARED_CORPUS} is absent")
    return SHARED_CORPUS


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Keep token/IDF caches out of the user's cache directory during tests (one per session)."""
    monkeypatch.setenv("COMPARE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(autouse=True, scope="session")
def _nothing_written_into_the_checkout():
    """A test that writes a report into the working directory (the checkout), or anything (an index, a
    report) into the real plans' folder, which is the user's data, fails the session."""
    def listing(folder: Path) -> set[str]:
        return {p.name for p in folder.iterdir()} if folder.is_dir() else set()

    before, shared = listing(ROOT), listing(SHARED_CORPUS)
    yield
    stray = sorted(listing(ROOT) - before)
    assert not stray, f"tests wrote into the checkout: {stray}"
    stray = sorted(listing(SHARED_CORPUS) - shared)
    assert not stray, f"tests wrote into {SHARED_CORPUS}: {stray}"


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def chromium(what: str):
    """Headless Chromium through Playwright, for a module fixture to ``yield from``. Skips on a developer
    machine without a browser; in CI (CI=true) ``what`` must run, so a missing browser fails instead."""
    def unavailable(reason: str):
        if os.environ.get("CI"):
            pytest.fail(f"{what} cannot run in CI: {reason}")
        pytest.skip(reason)

    try:
        from playwright import sync_api
    except ImportError:
        unavailable("playwright is not installed")
    if not Path(CHROMIUM).exists():
        unavailable(f"no Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_FLAGS)
        yield browser
        browser.close()
