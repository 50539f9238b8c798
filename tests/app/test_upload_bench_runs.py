"""The upload benchmark runs and prints its figures (no timing assertions)."""

from __future__ import annotations

import re

from tests.bench.quick import run_quick

MEMORY_RE = re.compile(r"before ([\d.]+) MB, peak during upload ([\d.]+) MB \(file (\d+) MB\)")


def test_upload_benchmark_prints_its_figures() -> None:
    lines = run_quick("bench_upload.py", timeout=120)
    assert [line.split(":")[0] for line in lines] == [
        "upload through the app",
        "storage put (baseline)",
        "plain copy (reference)",
        "app peak memory",
    ]
    assert lines[0].endswith("MB/s")
    assert "ratio app/put" in lines[1]
    assert "ratio app/copy" in lines[2]
    memory = MEMORY_RE.search(lines[3])
    assert memory, lines[3]
    before, peak, file_mb = (float(n) for n in memory.groups())
    # The upload is streamed (spooled to disk, stored in 1 MB chunks): the app's memory does
    # not grow by anything like the file's size.
    assert peak - before < file_mb, lines[3]
