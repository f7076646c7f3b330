"""Side-by-side benchmark: klyngerapport against the bare libraries, measured in one run.

    python benchmarks/bench.py                 # 4 offices x 20,000 company rows, 5 rounds
    python benchmarks/bench.py --rows 5000 --rounds 3

It builds a synthetic year for the sample config in a temporary folder, then times, interleaved
round by round so that a noisy shared machine disturbs both sides alike, the median of:

- `klyngerapport validate` vs the floor: python-calamine reading every sheet of the same files;
- `klyngerapport generate` vs the floor: python-calamine reading the same files plus openpyxl
  writing the same company rows to one sheet (write-only mode, the library's fastest path);
- `klyngerapport --version` vs `python -c "import typer"`;
- peak memory (max RSS) of `validate` on 5 files vs 50 files of the same size.

Every measurement is a fresh process, as a user runs it. Absolute times mean little on shared
machines; the ratios are the result.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CONFIG = ROOT / "samples" / "klyngerapport.toml"
YEAR = 2022
ACTIVITIES = (
    "Netværk og arrangementer",
    "Innovationsprojekt",
    "Videnssamarbejde",
    "Internationalisering",
    "Sparring og matchmaking",
    "Grøn omstilling",
)
MUNICIPALITIES = (
    "Køge",
    "Roskilde",
    "Solrød",
    "Odsherred",
    "Holbæk",
    "Faxe",
    "Kalundborg",
    "Ringsted",
    "Slagelse",
    "Stevns",
    "Sorø",
    "Lejre",
    "Lolland",
    "Næstved",
    "Guldborgsund",
    "Vordingborg",
)
WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)

FLOOR_READ = """
import sys
from python_calamine import CalamineWorkbook
for path in sys.argv[1:]:
    wb = CalamineWorkbook.from_path(path)
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()
"""

FLOOR_GENERATE = """
import sys
from openpyxl import Workbook
from python_calamine import CalamineWorkbook
out = Workbook(write_only=True)
ws = out.create_sheet("Virksomheder")
for path in sys.argv[2:]:
    wb = CalamineWorkbook.from_path(path)
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python()
        if name == "Virksomheder":
            for row in rows:
                ws.append(row)
out.save(sys.argv[1])
"""

PEAK_MEMORY = """
import resource, sys
from klyngerapport.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def valid_cvr(rng: random.Random) -> int:
    """A random CVR number whose modulus-11 check passes."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(6)]
        rest = sum(d * w for d, w in zip(digits, WEIGHTS, strict=False)) % 11
        check = (11 - rest) % 11
        if check < 10:
            return int("".join(map(str, [*digits, check])))


def write_submission(
    path: Path,
    office: str,
    contract: list[tuple[str, str, float, bool]],
    rows: int,
    rng: random.Random,
) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    meta = wb.create_sheet("Indberetning")
    for label, value in (
        ("Klyngekontor", office),
        ("År", YEAR),
        ("Kontaktperson", "Test"),
        ("E-mail", "test@example.dk"),
        ("Dato", dt.datetime(YEAR + 1, 1, 15)),
    ):
        meta.append([label, value])
    indicators = wb.create_sheet("Indikatorer")
    indicators.append(["ID", "Indikator", "Enhed", "Mål", "Resultat", "Bemærkning"])
    for ident, name, target, derived in contract:
        result = "Beregnes ud fra fanen Virksomheder" if derived else round(target * 1.1)
        indicators.append([ident, name, "antal", target, result, None])
    companies = wb.create_sheet("Virksomheder")
    companies.append(["CVR-nummer", "Virksomhedsnavn", "Kommune", "SMV", "Aktivitet", "Dato"])
    pool = [
        (valid_cvr(rng), f"Virksomhed {i} ApS", rng.choice(MUNICIPALITIES))
        for i in range(max(rows // 3, 1))
    ]
    for _ in range(rows):
        cvr, name, municipality = rng.choice(pool)
        companies.append(
            [
                cvr,
                name,
                municipality,
                rng.choice(("Ja", "Nej")),
                rng.choice(ACTIVITIES),
                dt.datetime(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365)),
            ]
        )
    wb.save(path)


def build_year(folder: Path, offices: int, rows: int, seed: int = 1) -> Path:
    """A working folder: the sample config and `offices` submissions of `rows` company rows."""
    from klyngerapport import config

    cfg = config.parse_file(SAMPLE_CONFIG)
    shutil.copy(SAMPLE_CONFIG, folder / "klyngerapport.toml")
    submissions = folder / "indberetninger" / str(YEAR)
    submissions.mkdir(parents=True)
    rng = random.Random(seed)
    active = cfg.active_offices(YEAR)
    for i in range(offices):
        office = active[i % len(active)]
        contract = [
            (ind.id, ind.name, target, ind.derived) for ind, target in cfg.contract(office.id, YEAR)
        ]
        # More files than offices (the memory test) are copies under other names.
        name = f"{office.id}-{YEAR}.xlsx" if i < len(active) else f"kopi-{i}-{office.id}.xlsx"
        write_submission(submissions / name, office.id, contract, rows, rng)
    return submissions


def run(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def peak_rss_kib(argv: list[str], cwd: Path) -> int:
    done = subprocess.run(
        [sys.executable, "-c", PEAK_MEMORY, *argv],
        cwd=cwd,
        text=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    return int(done.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=4)
    parser.add_argument("--rows", type=int, default=20_000, help="company rows per office")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--memory-rows",
        type=int,
        default=2_000,
        help="rows per file in the 5-vs-50-files memory test",
    )
    args = parser.parse_args()

    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="klyngebench-") as tmp:
        work = Path(tmp) / "year"
        work.mkdir()
        t0 = time.perf_counter()
        folder = build_year(work, args.offices, args.rows)
        files = sorted(str(p) for p in folder.glob("*.xlsx"))
        print(
            f"Synthetic year: {args.offices} files x {args.rows:,} company rows "
            f"({time.perf_counter() - t0:.1f} s to build)"
        )
        commands = {
            "validate": [py, "-m", "klyngerapport", "validate", "--year", str(YEAR), "--json"],
            "floor: calamine read": [py, "-c", FLOOR_READ, *files],
            # The XLSX only: the floor writes the same rows and no PDF or Word document.
            "generate": [
                py,
                "-m",
                "klyngerapport",
                "generate",
                str(YEAR),
                "--json",
                "--format",
                "xlsx",
            ],
            "floor: calamine + openpyxl write": [
                py,
                "-c",
                FLOOR_GENERATE,
                str(work / "floor.xlsx"),
                *files,
            ],
            "--version": [py, "-m", "klyngerapport", "--version"],
            "floor: import typer": [py, "-c", "import typer"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for round_ in range(args.rounds):
            order = list(commands.items())
            if round_ % 2:
                order.reverse()  # alternate the order, so neither side always runs warm
            for name, argv in order:
                times[name].append(run(argv, work))
        median = {name: statistics.median(values) for name, values in times.items()}

        mem = {}
        for count in (5, 50):
            mem_dir = Path(tmp) / f"mem{count}"
            mem_dir.mkdir()
            build_year(mem_dir, count, args.memory_rows, seed=count)
            mem[count] = peak_rss_kib(["validate", "--year", str(YEAR), "--json"], mem_dir)

    bars = (
        ("validate", "floor: calamine read", 2.0),
        ("generate", "floor: calamine + openpyxl write", 1.5),
        ("--version", "floor: import typer", 1.3),
    )
    print(f"\nMedians of {args.rounds} interleaved rounds (seconds):")
    print(f"{'measurement':<34}{'tool':>9}{'floor':>9}{'ratio':>8}{'bar':>7}  ok")
    for tool, floor, bar in bars:
        ratio = median[tool] / median[floor]
        print(
            f"{tool + ' vs ' + floor.removeprefix('floor: '):<34}{median[tool]:>9.3f}"
            f"{median[floor]:>9.3f}{ratio:>7.2f}x{bar:>6.1f}x  {'ja' if ratio <= bar else 'NEJ'}"
        )
    growth = mem[50] / mem[5] - 1
    print(
        f"{'peak memory validate 5 vs 50 files':<34}"
        f"{mem[5] / 1024:>7.0f}MB{mem[50] / 1024:>7.0f}MB"
        f"{growth * 100:>+7.0f}%{'+20%':>7}  {'ja' if growth <= 0.20 else 'NEJ'}"
    )


if __name__ == "__main__":
    main()
