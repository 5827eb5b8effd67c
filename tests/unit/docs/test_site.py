"""The docs site builds with MkDocs in strict mode, which fails on a broken link or anchor, a
missing page or a page left out of the navigation; the README's links lead to files."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def build(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    done = build(ROOT, tmp_path / "site")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "settings" / "index.html").exists()


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    """What the check above stands on: strict mode refuses a link to no page, and an anchor
    that no heading makes."""
    for broken in ("[gone](no-such-page.md)", "[gone](api.md#no-such-heading)"):
        project = tmp_path / broken[-12:].replace("#", "-").replace(")", "")
        shutil.copytree(ROOT / "docs", project / "docs")
        shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
        with (project / "docs" / "index.md").open("a") as page:
            page.write(f"\n{broken}\n")
        done = build(project, project / "site")
        assert done.returncode != 0, broken
        assert "no-such" in done.stderr, done.stderr


def test_the_readme_links_to_files_that_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme)
    local = [t for t in targets if "://" not in t]
    assert local, "the README links to the docs"
    assert [t for t in local if not (ROOT / t).exists()] == []
