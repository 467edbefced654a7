"""The README's shell examples work exactly as printed."""

import contextlib
import io
import re
from pathlib import Path

from django.conf import settings
from django.test import TestCase

from ads.models import Brand, SpendLog

SECTION = "## Using it from the Django shell"


def shell_examples() -> list[str]:
    text = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def run(source: str) -> str:
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(source, "README.md", "exec"), {})  # noqa: S102 - the README's own examples
    return output.getvalue()


class ReadmeShellExamplesTests(TestCase):
    def test_examples_run_in_order_and_print_what_the_readme_promises(self) -> None:
        examples = shell_examples()
        self.assertEqual(len(examples), 5)
        outputs = [run(example) for example in examples]

        brand = Brand.objects.get(name="Acme Corp")
        self.assertEqual(brand.timezone, "America/New_York")
        self.assertEqual(SpendLog.objects.count(), 2)
        self.assertEqual(brand.current_daily_spend, brand.current_monthly_spend)
        self.assertEqual(str(brand.current_daily_spend), "120.49")
        self.assertEqual(outputs[2], "Campaign can serve\n")
        self.assertIn("Daily remaining: $379.51\n", outputs[3])
        self.assertIn("Campaigns serving: 1 of 1\n", outputs[3])
        self.assertIn("is a float", outputs[4])

    def test_examples_can_be_run_again(self) -> None:
        examples = shell_examples()
        for example in examples:
            run(example)
        for example in examples:
            run(example)
        # The second run records the plain spend again; the one with an external_id counts once.
        self.assertEqual(SpendLog.objects.count(), 3)
        self.assertEqual(Brand.objects.count(), 1)
