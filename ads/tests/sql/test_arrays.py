"""`ads.sql.arrays.array_text`: a list as PostgreSQL reads it back, element for element."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import TestCase

from ads.sql.arrays import array_text
from ads.tests.builders import utc


@pytest.mark.postgresql(reason="SQLite has no arrays")
class ArrayTextTests(TestCase):
    def read_back(self, values: list[object], kind: str) -> list[object]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT %s::{kind}[]", [array_text(values)])  # type: ignore[arg-type]
            return list(cursor.fetchone()[0])

    def test_each_kind_reads_back_as_it_was_written(self) -> None:
        noon = utc("2026-03-18T12:00:00.000123")
        cases: list[tuple[list[object], str]] = [
            ([1, 20, 9_000_000_000], "bigint"),
            ([True, False, True], "boolean"),
            ([noon, None, noon, utc("2026-03-18T13:00")], "timestamptz"),
            (['say "hi"', "back\\slash", "{a,b}", "", "NULL"], "text"),
            ([], "bigint"),
            (
                [Decimal("12.50"), Decimal("-0.01"), None, Decimal("999999999999999999.99")],
                "numeric(20, 2)",
            ),
            ([date(2026, 3, 1), date(2024, 2, 29)], "date"),
        ]
        for values, kind in cases:
            with self.subTest(kind=kind):
                self.assertEqual(self.read_back(values, kind), values)

    def test_json_text_reads_back_as_jsonb(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT jsonb_agg(x)::text FROM unnest(%s::jsonb[]) AS x",
                [array_text(['["A", "B \\"c\\""]', "[]"])],
            )
            self.assertEqual(json.loads(cursor.fetchone()[0]), [["A", 'B "c"'], []])
