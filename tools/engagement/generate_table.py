#!/usr/bin/env python3
"""Generate the engagement reference table with Python's own arithmetic.

The platform computes a scheduled session's engagement as

    0 if total_goals == 0 else round((goals_engaged + goals_passed) / total_goals * 100)

(true division in double precision, times 100, then Python 3's round(): half to even).
sensei-core's `engagement_percent` must give the same number for every input. This script
writes the expected values to crates/sensei-core/tests/data/engagement_table.csv, which
crates/sensei-core/tests/engagement_table.rs compares row by row.

Coverage: every 0 <= passed + engaged <= total <= 200. The formula depends on passed and
engaged only through their sum (integer addition is exact), so the table enumerates
total in 0..=200 and touched = passed + engaged in 0..=total, and records the split
passed = touched // 2, engaged = touched - passed (about 20,000 rows instead of ~1.4 million).
The Rust test additionally checks other splits of the same sum against the same row.

Standard library only. Usage (from the repository root):

    python3 tools/engagement/generate_table.py [OUTPUT]
"""

import csv
import os
import sys

MAX_TOTAL = 200
DEFAULT_OUTPUT = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "..", "..", "crates", "sensei-core", "tests", "data", "engagement_table.csv",
)


def engagement_percent(passed: int, engaged: int, total: int) -> int:
    """The platform's ScheduledSession.engagement_percent(), verbatim."""
    if total == 0:
        return 0
    return round((engaged + passed) / total * 100)


def main() -> None:
    output = os.path.normpath(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUTPUT)
    os.makedirs(os.path.dirname(output), exist_ok=True)
    rows = 0
    with open(output, "w", newline="", encoding="ascii") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["passed", "engaged", "total", "percent"])
        for total in range(MAX_TOTAL + 1):
            for touched in range(total + 1):
                passed = touched // 2
                engaged = touched - passed
                writer.writerow([passed, engaged, total, engagement_percent(passed, engaged, total)])
                rows += 1
    print(f"wrote {rows} rows to {output}")


if __name__ == "__main__":
    main()
