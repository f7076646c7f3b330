"""Make the README's pictures of a feedback workbook from the samples.

    python docs/make_feedback_pictures.py

Copies samples/ to a temporary folder, runs `klyngerapport validate fejl --year 2022 --feedback`
there, converts the feedback workbook of fejl/fejl-cvr-og-kommune.xlsx to PDF with LibreOffice
(soffice) and writes two PNGs with pdftoppm (poppler-utils): the Ret dette sheet and the marked
Virksomheder sheet. Needs soffice, pdftoppm and pdftotext on PATH.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
WORKBOOK = "tilbagemelding/2022/foedevarer-2022-rettelser.xlsx"
PICTURES = {  # picture name -> text that identifies its page in the PDF
    "tilbagemelding-ret-dette.png": "Ret dette",
    "tilbagemelding-virksomheder.png": "Virksomhedsnavn",
}
DPI = 80
HEIGHT = 360  # pixels from the top of the page: the part that shows the point


def run(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode not in (0, 1):  # validate exits 1: the samples have errors on purpose
        sys.exit(f"{args[0]} failed:\n{done.stderr}")
    return done.stdout


def main() -> None:
    for tool in ("soffice", "pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "samples"
        shutil.copytree(ROOT / "samples", work, ignore=shutil.ignore_patterns("rapporter"))
        shutil.rmtree(work / "tilbagemelding", ignore_errors=True)
        run(sys.executable, "-m", "klyngerapport", "validate", "fejl", "--year", "2022",
            "--feedback", cwd=work)
        profile = (Path(tmp) / "lo-profile").as_uri()
        run("soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
            "--outdir", tmp, work / WORKBOOK)
        pdf = Path(tmp) / (Path(WORKBOOK).stem + ".pdf")
        pages = int(run("pdfinfo", pdf).split("Pages:")[1].split()[0]) if shutil.which(
            "pdfinfo"
        ) else 20
        texts = [run("pdftotext", "-f", str(p), "-l", str(p), pdf, "-") for p in
                 range(1, pages + 1)]
        for name, marker in PICTURES.items():
            page = next(i for i, t in enumerate(texts, start=1) if marker in t)
            stem = Path(tmp) / name.removesuffix(".png")
            run("pdftoppm", "-png", "-r", str(DPI), "-f", str(page), "-l", str(page),
                "-singlefile", "-x", "0", "-y", "0", "-W", "935", "-H", str(HEIGHT), pdf, stem)
            shutil.copyfile(f"{stem}.png", DOCS / name)
            print(f"Skrev docs/{name} (side {page})")


if __name__ == "__main__":
    main()
