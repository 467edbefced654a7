"""Bad options to the management commands and bad arguments to the tasks are refused by name
and change nothing (a task given them runs nothing); the other entry points are in
`test_bad_input` and `test_bad_input_admin`.
"""

import io
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError

from ads.models import Campaign
from ads.services import BudgetService
from ads.tasks import enforce_budgets, enforce_dayparting, reset_daily_monthly_spends
from ads.tests.reliability.bad_input import BadInputCase


class CommandBadInputTests(BadInputCase):
    def test_an_unknown_option_names_itself_and_changes_nothing(self) -> None:
        quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
        for command in ("reconcile_spend", "reset_budgets"):
            with self.subTest(command, form="command line"):
                self.assert_rejected(
                    partial(call_command, command, "--bogus", **quiet),
                    CommandError,
                    "unrecognized arguments: --bogus",
                )
            with self.subTest(command, form="keyword"):
                self.assert_rejected(
                    partial(call_command, command, bogus=True, **quiet),
                    TypeError,
                    "Unknown option(s)",
                    "bogus",
                )


class TaskBadInputTests(BadInputCase):
    def test_a_task_given_arguments_it_does_not_take_raises_type_error_and_runs_nothing(
        self,
    ) -> None:
        # A state every task would repair if it ran: the over-budget campaign still serving.
        BudgetService.record_spend(self.campaign, Decimal("95.00"))
        Campaign.objects.filter(pk=self.campaign.pk).update(is_active=True)
        tasks: list[Any] = [enforce_budgets, enforce_dayparting, reset_daily_monthly_spends]
        # Typed as Any: these calls are wrong on purpose, and mypy refuses them as it should.
        for task in tasks:
            calls: list[tuple[str, Callable[[], object], str]] = [
                ("call", partial(task, "x"), "takes 0 positional arguments"),
                ("call", partial(task, now="2026-03-18"), "unexpected keyword argument 'now'"),
                ("delay", partial(task.delay, 7), "takes 0 positional arguments"),
                (
                    "apply_async",
                    partial(task.apply_async, kwargs={"brand": 1}),
                    "unexpected keyword argument 'brand'",
                ),
            ]
            for how, call, message in calls:
                with self.subTest(task=task.name, how=how):
                    self.assert_rejected(call, TypeError, task.name.rsplit(".")[-1], message)
