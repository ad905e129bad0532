"""Run every bench section against a fresh local emulator, print them, write them into docs/performance.md,
and the numbers the docs' prose quotes wherever it quotes them (README.md and docs/*.md)."""

import importlib
import os
import pkgutil
import re
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

from ringbridge_tools.local import netguard
from tests.bench import Measured, emulator

ROOT = Path(__file__).resolve().parents[2]
PERFORMANCE = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
# A number quoted in prose: <!-- bench:NAME -->value<!-- /bench -->
QUOTE = re.compile(r"(<!-- bench:(?P<name>[a-z0-9_]+) -->)(?P<value>.*?)(<!-- /bench -->)")


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def sections() -> list[tuple[str, ModuleType]]:
    found = []
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        module = importlib.import_module(f"tests.bench.{info.name}")
        if hasattr(module, "TITLE") and hasattr(module, "measure"):
            found.append((info.name, module))
    only = os.environ.get("BENCH")  # e.g. BENCH=find_contact to run one section
    return [(name, module) for name, module in found if not only or name in only.split(",")]


def quote(text: str, quoted: dict[str, str]) -> str:
    """``text`` with every quoted number it has a new value for replaced."""
    return QUOTE.sub(lambda found: found[1] + quoted.get(found["name"], found["value"]) + found[4], text)


def write(block: str, quoted: dict[str, str]) -> None:
    performance = PERFORMANCE.read_text()
    performance = re.sub(
        re.escape(START) + ".*?" + re.escape(END), lambda _: f"{START}\n{block}\n{END}", performance, flags=re.S
    )
    PERFORMANCE.write_text(performance)
    for document in documents():
        document.write_text(quote(document.read_text(), quoted))


def main() -> None:
    # As in the tests, nothing leaves the machine: a section that would reach a real vendor fails at once.
    refused = Path(tempfile.mkdtemp(prefix="ringbridge-bench-")) / "refused.log"
    netguard.install(refused)
    emulator.start()
    parts = [
        f"Measured by `make bench` on {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, against the local emulator (moto server on 127.0.0.1)."
    ]
    quoted: dict[str, str] = {}
    for name, module in sections():
        print(f"== {module.TITLE}", flush=True)
        emulator.reset()
        started = time.perf_counter()
        result = module.measure()
        text = result.text if isinstance(result, Measured) else result
        print(text, f"\n({name}: {time.perf_counter() - started:.0f} s)\n", flush=True)
        if isinstance(result, Measured):
            # a run of some functions only (BENCH_FUNCTIONS) quotes only what it measured
            if not os.environ.get("BENCH_FUNCTIONS"):
                assert set(result.quoted) == set(getattr(module, "QUOTED", ())), f"{name}: QUOTED and measure() differ"
            quoted.update(result.quoted)
        parts.append(f"## {module.TITLE}\n\n{text}")
    assert not refused.exists(), f"the bench tried to connect off this machine: {refused.read_text()}"
    if os.environ.get("BENCH"):
        return  # a partial run does not rewrite the docs
    write("\n\n".join(parts), quoted)
    print(f"written into {PERFORMANCE} and the prose quoting it", flush=True)


if __name__ == "__main__":
    main()
