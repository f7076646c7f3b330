"""Make docs/orientering-2022-side-1.png, the picture of the appendix in the README.

Runs `klyngerapport generate 2022 --format pdf` on a copy of samples/ (the samples stay as they
are) and turns page 1 into a PNG with pdftoppm (Poppler). Run it from the repository root:

    .venv/bin/python docs/make_appendix_picture.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PICTURE = ROOT / "docs" / "orientering-2022-side-1.png"


def main() -> int:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        sys.stderr.write("pdftoppm mangler: installér Poppler (fx apt install poppler-utils).\n")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "samples"
        shutil.copytree(
            ROOT / "samples", work, ignore=shutil.ignore_patterns("rapporter", "skabeloner")
        )
        subprocess.run(
            [sys.executable, "-m", "klyngerapport", "generate", "2022", "--format", "pdf"],
            cwd=work,
            check=False,  # exit 1 only says the data has findings; the PDF is written
            capture_output=True,
        )
        appendix = work / "rapporter" / "orientering-2022.pdf"
        if not appendix.is_file():
            sys.stderr.write("generate skrev ingen orientering-2022.pdf.\n")
            return 1
        subprocess.run(
            [
                pdftoppm,
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(appendix),
                str(PICTURE.with_suffix("")),
            ],
            check=True,
        )
    print(f"Skrev {PICTURE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
