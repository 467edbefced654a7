"""The figures as a table for people (the JSON form is the same dict)."""

from typing import Any


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = []
    for number, row in enumerate([headers, *rows]):
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return lines


def _ingestion_row(row: dict[str, Any]) -> list[str]:
    return [
        row["label"],
        str(row["processes"]),
        str(row["events"]),
        f"{row['events_per_second']:,.0f}",
        f"{row['p50_ms']:.2f}",
        f"{row['p99_ms']:.2f}",
        f"{row['ratio']:.0%}" if "ratio" in row else "",
    ]


def format_table(result: dict[str, Any]) -> str:
    info = result["machine"]
    lines = [
        f"Scale {result['scale']}: {info['cpus']} CPUs, {info['memory_gb']} GB, PostgreSQL "
        f"{info['postgresql']}, Python {info['python']}, Django {info['django']}",
    ]
    if "ingestion" in result:  # not at the million scale
        lines += [
            "",
            "Ingestion (p50/p99: per event; per batch for record_spends; ratio: to pgbench at "
            "the same concurrency, brand spread and batch size)",
        ]
        headers = ["workload", "procs", "events", "events/s", "p50 ms", "p99 ms", "vs pgbench"]
        lines += _table(
            headers,
            [_ingestion_row(row) for row in result["ingestion"]]
            + [_ingestion_row(row) for row in result["reference"]],
        )
    lines += [
        "",
        "Periodic task bodies (statements sent; memory: tracemalloc peak of one run, and "
        "peak RSS of the fresh process that ran it)",
    ]
    lines += _table(
        ["task", "brands", "campaigns", "case", "seconds", "queries", "traced MB", "peak RSS MB"],
        [
            [
                row["task"],
                str(row["brands"]),
                str(row["campaigns"]),
                row["case"],
                f"{row['seconds']:.3f}",
                str(row["queries"]),
                f"{row['traced_peak_mb']:.1f}",
                f"{row['peak_rss_mb']:.1f}",
            ]
            for row in result["periodic"]
        ],
    )
    lines += _steady_growth(result["periodic"])
    return "\n".join(lines)


def _steady_growth(periodic: list[dict[str, Any]]) -> list[str]:
    """Each task's steady run at the largest size against the smallest (issue 13, target 2:
    within 2x from 10,000 to 1,000,000 campaigns)."""
    steady = {(row["task"], row["campaigns"]): row for row in periodic if row["case"] == "steady"}
    sizes = sorted({campaigns for _, campaigns in steady})
    if len(sizes) < 2:
        return []
    small, large = sizes[0], sizes[-1]
    lines = ["", f"Steady runs at {large} campaigns against {small}"]
    for task in dict.fromkeys(task for task, _ in steady):
        ratio = steady[task, large]["seconds"] / steady[task, small]["seconds"]
        lines.append(f"{task}: {ratio:.2f}x")
    return lines
