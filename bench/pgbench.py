"""The reference limit: pgbench doing the bare SQL of one spend on the same server.

Per transaction, the least SQL a spend's guarantees need: one INSERT into the real ledger table
(SpendLog's constraints and indexes, the external id's uniqueness by `ON CONFLICT DO NOTHING`),
one UPDATE of the campaign's own totals (what its caps are judged on) and one UPDATE of its
brand's totals. Simple query protocol, as psycopg2 uses. As a spend's guarantees grow, so does
the script, so the ratio stays honest.
"""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.db import connection

from bench.database import BenchError
from bench.ingest import Figure
from bench.measure import percentile

SCRIPT = """\
\\set n random(1, 1000000000000)
\\set cid random(:cmin, :cmax)
BEGIN;
INSERT INTO ads_spendlog
        (campaign_id, kind, amount, "timestamp", description, external_id, reason, recorded_by,
         recorded_at)
    VALUES (:cid, 'spend', 0.01, now(), '', 'pgbench-' || :client_id || '-' || :n, '', '', now())
    ON CONFLICT DO NOTHING;
UPDATE ads_campaign SET current_daily_spend = current_daily_spend + 0.01,
        total_spend = total_spend + 0.01
    WHERE id = :cid;
UPDATE ads_brand SET current_daily_spend = current_daily_spend + 0.01,
        current_monthly_spend = current_monthly_spend + 0.01
    WHERE id = (SELECT brand_id FROM ads_campaign WHERE id = :cid);
END;
"""
# The same work for `batch` events in one transaction, as record_spends does it: one INSERT of
# the rows, one UPDATE of each campaign and of each brand they touch.
BATCH_SCRIPT = """\
\\set n random(1, 1000000000000)
BEGIN;
WITH spends AS (
    INSERT INTO ads_spendlog
        (campaign_id, kind, amount, "timestamp", description, external_id, reason, recorded_by,
         recorded_at)
    SELECT :cmin + floor(random() * (:cmax - :cmin + 1))::int, 'spend', 0.01, now(), '',
        'pgbench-' || :client_id || '-' || :n || '-' || g, '', '', now()
    FROM generate_series(1, :batch) AS g
    ON CONFLICT DO NOTHING
    RETURNING campaign_id, amount
), campaigns AS (
    UPDATE ads_campaign SET current_daily_spend = current_daily_spend + added.amount,
            total_spend = total_spend + added.amount
        FROM (SELECT campaign_id, sum(amount) AS amount FROM spends GROUP BY campaign_id) AS added
        WHERE ads_campaign.id = added.campaign_id
)
UPDATE ads_brand SET current_daily_spend = current_daily_spend + totals.amount,
        current_monthly_spend = current_monthly_spend + totals.amount
    FROM (SELECT campaign.brand_id, sum(spends.amount) AS amount
          FROM spends JOIN ads_campaign AS campaign ON campaign.id = spends.campaign_id
          GROUP BY campaign.brand_id) AS totals
    WHERE ads_brand.id = totals.brand_id;
END;
"""
TPS = re.compile(r"tps = ([\d.]+) \(without initial connection time\)")


def find_pgbench(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BenchError(
            f"{name!r} not found: the reference figures need pgbench (apt-get install "
            "postgresql-client, or --pgbench PATH)."
        )
    return found


def _server_arguments() -> tuple[list[str], dict[str, str]]:
    settings = connection.settings_dict
    arguments = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings.get(key):
            arguments += [flag, str(settings[key])]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return [*arguments, str(settings["NAME"])], env


def pgbench(
    executable: str,
    label: str,
    clients: int,
    campaigns: list[int],
    *,
    seconds: float | None,
    transactions: int,
    batch: int = 1,
) -> Figure:
    """Run the spend script from `clients` connections on campaigns min(campaigns)..max.

    With `batch` > 1, each transaction records that many events (BATCH_SCRIPT); latencies are
    then per transaction, as record_spends' are per batch.
    """
    server, env = _server_arguments()
    length = ["-T", str(round(seconds))] if seconds else ["-t", str(transactions)]
    with tempfile.TemporaryDirectory() as directory:
        script = Path(directory, "spend.sql")
        script.write_text(SCRIPT if batch == 1 else BATCH_SCRIPT)
        command = [
            executable,
            "--no-vacuum",
            f"--file={script}",
            f"--client={clients}",
            f"--jobs={min(clients, os.cpu_count() or 1)}",
            f"--define=cmin={min(campaigns)}",
            f"--define=cmax={max(campaigns)}",
            f"--define=batch={batch}",
            "--log",
            f"--log-prefix={directory}/log",
            *length,
            *server,
        ]
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if done.returncode != 0:
            raise BenchError(f"pgbench failed ({done.returncode}): {done.stderr.strip()}")
        match = TPS.search(done.stdout)
        if match is None:
            raise BenchError(f"pgbench printed no tps:\n{done.stdout}")
        # Per-transaction log lines: client, number, latency in microseconds, ...
        latencies = [
            int(line.split()[2]) / 1e6
            for log in Path(directory).glob("log.*")
            for line in log.read_text().splitlines()
        ]
    return Figure(
        label=label,
        processes=clients,
        events=len(latencies) * batch,
        events_per_second=float(match.group(1)) * batch,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
    )
