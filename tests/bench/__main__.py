"""Run every bench section against a fresh local emulator, print them, write them into the README."""

import importlib
import os
import pkgutil
import re
import sys
import time
from pathlib import Path

from tests.bench import emulator

README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def sections() -> list[tuple[str, object]]:
    found = []
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        module = importlib.import_module(f"tests.bench.{info.name}")
        if hasattr(module, "TITLE") and hasattr(module, "measure"):
            found.append((info.name, module))
    only = os.environ.get("BENCH")  # e.g. BENCH=find_contact to run one section
    return [(name, module) for name, module in found if not only or name in only.split(",")]


def main() -> None:
    emulator.start()
    parts = [
        f"Measured by `make bench` on {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, against the local emulator (moto server on 127.0.0.1)."
    ]
    for name, module in sections():
        print(f"== {module.TITLE}", flush=True)
        emulator.reset()
        started = time.perf_counter()
        text = module.measure()
        print(text, f"\n({name}: {time.perf_counter() - started:.0f} s)\n", flush=True)
        parts.append(f"### {module.TITLE}\n\n{text}")
    if os.environ.get("BENCH"):
        return  # a partial run does not rewrite the README
    block = "\n\n".join(parts)
    readme = README.read_text()
    if START in readme:
        readme = re.sub(
            re.escape(START) + ".*?" + re.escape(END), lambda _: f"{START}\n{block}\n{END}", readme, flags=re.S
        )
    else:
        readme = readme.replace(
            "<!-- section: performance -->", f"<!-- section: performance -->\n\n{START}\n{block}\n{END}"
        )
    README.write_text(readme)
    print(f"written into {README}")


if __name__ == "__main__":
    main()
