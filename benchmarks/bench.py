"""Side-by-side benchmark: klyngerapport against the bare libraries, measured in one run.

    python benchmarks/bench.py                   # 4 offices x 20,000 and x 120,000 rows, 5 rounds
    python benchmarks/bench.py --rows 5000 --rounds 3

For each size it builds a synthetic year for the sample config in a temporary folder, then times,
interleaved round by round so that a noisy shared machine disturbs both sides alike, the median of:

- `klyngerapport validate` vs the floor: python-calamine reading every sheet of the same files;
- `klyngerapport generate` vs the floor: python-calamine reading the same files plus openpyxl
  writing the rows the report's Virksomheder sheet holds (one row per company row, the same nine
  columns: office, CVR, name, municipality, counted, SME, activity, date, source) through
  openpyxl's public write-only API; the floor also times its own two parts, so the run shows how
  much of it is openpyxl's writing alone (what generate cannot avoid) and how much is reading;
- `klyngerapport --version` vs `python -c "import typer"`;

and each command's own peak memory (the child's maximum resident set size as the kernel reports
it when the child is reaped), plus `validate`'s peak on 5 files vs 50 files of the same size.

Every measurement is a fresh process, as a user runs it. The benchmark itself stays small (the
synthetic years are built in a child process), because a child's peak as the kernel counts it
starts from its parent's size at the moment it was started. Absolute times mean little on shared
machines; the ratios are the result.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
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
import sys, time
from pathlib import Path
from openpyxl import Workbook
from python_calamine import CalamineWorkbook
out = Workbook(write_only=True)
ws = out.create_sheet("Virksomheder")
ws.append(["Klyngekontor", "CVR-nummer", "Virksomhedsnavn", "Kommune", "Talt med", "SMV",
           "Aktivitet", "Dato", "Kilde"])
reading = writing = 0.0
for path in sys.argv[2:]:
    start = time.perf_counter()
    wb = CalamineWorkbook.from_path(path)
    file = Path(path).name
    sheets = {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}
    reading += time.perf_counter() - start
    start = time.perf_counter()
    for number, (cvr, company, municipality, sme, activity, date) in enumerate(
        sheets["Virksomheder"][1:], start=2
    ):
        ws.append([file, cvr, company, municipality, "Ja", sme, activity, date,
                   f"{file}, Virksomheder, række {number}"])
    del sheets  # one file's cells at a time, as generate holds them
    writing += time.perf_counter() - start
start = time.perf_counter()
out.save(sys.argv[1])
writing += time.perf_counter() - start
print(f"{reading} {writing}")  # the floor's own split, read by the benchmark
"""

BUILD = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import bench
bench.build_year(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
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
    national: tuple[tuple[str, str, float], ...] = (),
) -> None:
    """A submission without findings: a file with warnings would also get its corrections
    workbook from `generate`, which is other work than the report the floor stands for."""
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
    if national:
        sheet = wb.create_sheet("Nationale mål")
        sheet.append(["ID", "Indikator", "Enhed", "Mål", "Resultat", "Bemærkning"])
        for ident, name, target in national:
            sheet.append([ident, name, "antal", target, round(target * 1.1), None])
    companies = wb.create_sheet("Virksomheder")
    companies.append(["CVR-nummer", "Virksomhedsnavn", "Kommune", "SMV", "Aktivitet", "Dato"])
    pool = [
        (valid_cvr(rng), f"Virksomhed {i} ApS", rng.choice(MUNICIPALITIES))
        for i in range(max(rows // 3, 1))
    ]
    seen: set[tuple[int, str, int]] = set()
    while len(seen) < rows:
        cvr, name, municipality = rng.choice(pool)
        activity, day = rng.choice(ACTIVITIES), rng.randrange(365)
        if (cvr, activity, day) in seen:  # the same CVR, activity and date is row-duplicate
            continue
        seen.add((cvr, activity, day))
        companies.append(
            [
                cvr,
                name,
                municipality,
                rng.choice(("Ja", "Nej")),
                activity,
                dt.datetime(YEAR, 1, 1) + dt.timedelta(days=day),
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
        national = tuple((i.id, i.name, t) for i, t in cfg.national_contract(office.id, YEAR))
        write_submission(submissions / name, office.id, contract, rows, rng, national)
    return submissions


def build_in_child(folder: Path, offices: int, rows: int, seed: int = 1) -> Path:
    """build_year in a child process, so that this process stays small (see the docstring)."""
    argv = [str(Path(__file__).parent), str(folder), str(offices), str(rows), str(seed)]
    subprocess.run([sys.executable, "-c", BUILD, *argv], check=True)
    return folder / "indberetninger" / str(YEAR)


def run(
    argv: list[str], cwd: Path, exits: tuple[int, ...] = (0,)
) -> tuple[float, int, float, bytes]:
    """Wall seconds, the child's own peak memory in KiB, its CPU seconds (all threads, user and
    system) and what it printed; any other exit stops the run."""
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        child = subprocess.Popen(argv, cwd=cwd, stdout=output, stderr=subprocess.PIPE)
        assert child.stderr is not None
        errors = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        child.stderr.close()
        if child.returncode not in exits:
            sys.exit(f"{argv[1:4]} ended with {child.returncode}:\n{errors.decode()[-2000:]}")
        output.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return elapsed, usage.ru_maxrss, cpu, output.read()  # KiB on Linux


QUICK = ("--version", "floor: import typer")
QUICK_REPEATS = 10


def measure(
    work: Path, offices: int, rows: int, rounds: int
) -> tuple[list[tuple[str, float, int, float]], tuple[float, float]]:
    """Rows of (measurement, median seconds, median peak KiB, median CPU seconds) for one
    synthetic year, and the
    generate floor's own medians of (reading, writing) seconds."""
    folder = build_in_child(work, offices, rows)
    files = sorted(str(p) for p in folder.glob("*.xlsx"))
    py = sys.executable
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
    peaks: dict[str, list[int]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    split: list[tuple[float, float]] = []
    for round_ in range(rounds):
        order = list(commands.items())
        if round_ % 2:
            order.reverse()  # alternate the order, so neither side always runs warm
        for name, argv in order:
            # A start-up takes some 50 ms, of which a scheduler's hiccup is a tenth: each round
            # runs the quick commands ten times, so that their medians hold still.
            for _ in range(QUICK_REPEATS if name in QUICK else 1):
                elapsed, peak, cpu, printed = run(argv, work)
                times[name].append(elapsed)
                peaks[name].append(peak)
                cpus[name].append(cpu)
            if name == "floor: calamine + openpyxl write":
                reading, writing = map(float, printed.split())
                split.append((reading, writing))
    medians = [
        (
            name,
            statistics.median(times[name]),
            int(statistics.median(peaks[name])),
            statistics.median(cpus[name]),
        )
        for name in commands
    ]
    return medians, (
        statistics.median(r for r, _ in split),
        statistics.median(w for _, w in split),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=4)
    parser.add_argument(
        "--rows",
        type=int,
        nargs="+",
        default=[20_000, 120_000],
        help="company rows per office, one or more sizes",
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--memory-rows",
        type=int,
        default=2_000,
        help="rows per file in the 5-vs-50-files memory test",
    )
    args = parser.parse_args()

    bars = (
        ("validate", "floor: calamine read", 2.0),
        ("generate", "floor: calamine + openpyxl write", 1.0),
        ("--version", "floor: import typer", 1.3),
    )
    memory_bar_mib = 300  # generate's own peak, at every size
    print(
        f"{'size':<16}{'measurement':<42}{'tool':>8}{'floor':>8}{'ratio':>8}{'bar':>6}  ok"
        f"{'tool MB':>9}{'floor MB':>9}"
    )
    for rows in args.rows:
        with tempfile.TemporaryDirectory(prefix="klyngebench-") as tmp:
            result, (reading, writing) = measure(Path(tmp), args.offices, rows, args.rounds)
        median = {name: seconds for name, seconds, _, _ in result}
        peak = {name: kib / 1024 for name, _, kib, _ in result}
        cpu = {name: seconds for name, _, _, seconds in result}
        size = f"{args.offices} x {rows:,}"
        for tool, floor, bar in bars:
            ratio = median[tool] / median[floor]
            print(
                f"{size:<16}{tool + ' vs ' + floor.removeprefix('floor: '):<42}"
                f"{median[tool]:>8.2f}{median[floor]:>8.2f}{ratio:>7.2f}x{bar:>5.1f}x"
                f"  {'ja' if ratio <= bar else 'NEJ':<4}{peak[tool]:>7.0f}{peak[floor]:>9.0f}"
            )
        # validate reads two files at a time, the floor one: the same comparison in CPU
        # seconds shows what the second core gives (no bar; the wall clock is what users wait).
        print(
            f"{size:<16}{'validate vs calamine read, CPU seconds':<42}"
            f"{cpu['validate']:>8.2f}{cpu['floor: calamine read']:>8.2f}"
            f"{cpu['validate'] / cpu['floor: calamine read']:>7.2f}x"
        )
        whole = median["floor: calamine + openpyxl write"]
        # What is left of the generate floor for everything but openpyxl's writing of the rows:
        # validation, the follow-up and eight more sheets must fit in it to meet the 1.0x bar.
        print(
            f"{size:<16}{'openpyxl write alone vs generate floor':<42}{writing:>8.2f}{whole:>8.2f}"
            f"{writing / whole:>7.2f}x  (reading: {reading:.2f} s)"
        )
        print(
            f"{size:<16}{'peak memory generate':<42}{peak['generate']:>6.0f}MB"
            f"{'':>16}{memory_bar_mib:>4}MB  {'ja' if peak['generate'] < memory_bar_mib else 'NEJ'}"
        )

    mem = {}
    with tempfile.TemporaryDirectory(prefix="klyngebench-") as tmp:
        for count in (5, 50):
            mem_dir = Path(tmp) / f"mem{count}"
            mem_dir.mkdir()
            build_in_child(mem_dir, count, args.memory_rows, seed=count)
            argv = [sys.executable, "-m", "klyngerapport", "validate", "--year", str(YEAR)]
            # Exit 1: the copies are duplicate submissions, an error finding.
            mem[count] = run([*argv, "--json"], mem_dir, exits=(0, 1))[1]
    growth = mem[50] / mem[5] - 1
    print(
        f"{f'{args.memory_rows:,} rows':<16}{'peak memory validate 5 vs 50 files':<42}"
        f"{mem[5] / 1024:>6.0f}MB{mem[50] / 1024:>6.0f}MB"
        f"{growth * 100:>+7.0f}%{'+20%':>6}  {'ja' if growth <= 0.20 else 'NEJ'}"
    )
    this = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nMedians of {args.rounds} interleaved rounds ({QUICK_REPEATS} runs a round of the "
        f"quick commands): seconds, and each process's own peak memory (no figure can show "
        f"below this benchmark's own peak, {this:.0f} MB)."
    )


if __name__ == "__main__":
    main()
