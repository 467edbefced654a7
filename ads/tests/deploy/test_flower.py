"""Flower, the task monitor: a real `celery flower` process on a free port against the test
Redis, behind basic auth read from FLOWER_BASIC_AUTH; it shows a task's summary from the
worker's events, and it refuses to start when no login is configured."""

import base64
import json
import secrets
import signal
import urllib.error
import urllib.request
from typing import Any

from ads.tasks import enforce_budgets
from ads.tests.celery_worker import WorkerTestCase
from ads.tests.processes import PYTHON, Child, child_env, free_port, wait_until
from budget_system.celery import app


def flower_args(port: int) -> list[str]:
    return [PYTHON, "-m", "celery", "-A", "budget_system", "flower", f"--port={port}"]


class Flower:
    """`celery -A budget_system flower` on a free port of 127.0.0.1."""

    def __init__(self, basic_auth: str) -> None:
        self.port = free_port()
        env = child_env()
        env.pop("FLOWER_UNAUTHENTICATED_API", None)
        env["FLOWER_BASIC_AUTH"] = basic_auth
        self.child = Child([*flower_args(self.port), "--address=127.0.0.1"], env)
        wait_until(self.answers, 60, f"Flower on port {self.port}")

    def get(self, path: str, credentials: str | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}")
        if credentials is not None:
            token = base64.b64encode(credentials.encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return int(response.status), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def answers(self) -> bool:
        if not self.child.running():
            raise AssertionError(self.child.describe())
        try:
            self.get("/healthcheck")
        except OSError:
            return False
        return True

    def stop(self) -> None:
        """Terminate Flower as an operator would (SIGTERM), then make sure it is gone."""
        self.child.kill(signal.SIGTERM)
        try:
            self.child.wait(timeout=20)
        finally:
            self.child.close()


class FlowerTests(WorkerTestCase):
    def start_flower(self, basic_auth: str) -> Flower:
        flower = Flower(basic_auth)
        self.addCleanup(flower.stop)
        return flower

    def test_basic_auth_guards_pages_and_api(self) -> None:
        credentials = f"ops:{secrets.token_urlsafe(16)}"
        flower = self.start_flower(credentials)
        wrong = "ops:" + secrets.token_urlsafe(16)
        for path in ("/", "/tasks", "/api/workers", "/api/tasks"):
            with self.subTest(path=path):
                self.assertEqual(flower.get(path)[0], 401)
                self.assertEqual(flower.get(path, wrong)[0], 401)
                self.assertEqual(flower.get(path, credentials)[0], 200)

    def test_shows_a_tasks_summary(self) -> None:
        credentials = f"ops:{secrets.token_urlsafe(16)}"
        flower = self.start_flower(credentials)
        # Flower learns of tasks from the worker's events: wait until it hears the worker's
        # heartbeats, so it is listening before the task is sent.
        self.assertTrue(app.conf.worker_send_task_events)
        self.assertTrue(app.conf.task_send_sent_event)

        def worker_heard() -> bool:
            status, body = flower.get("/api/workers?status=true", credentials)
            return status == 200 and any(json.loads(body).values())

        wait_until(worker_heard, 30, "Flower to hear the worker's events")
        result = enforce_budgets.delay()
        self.assertEqual(result.get(timeout=60), {"activated": 0, "paused": 0})

        seen: dict[str, Any] = {}

        def succeeded() -> bool:
            status, body = flower.get(f"/api/task/info/{result.id}", credentials)
            if status == 200:
                seen.update(json.loads(body))
            return seen.get("state") == "SUCCESS"

        wait_until(succeeded, 30, "Flower to see the task succeed")
        self.assertEqual(seen["name"], "ads.tasks.enforce_budgets")
        self.assertEqual(seen["result"], "{'activated': 0, 'paused': 0}")

    def test_refuses_to_start_without_a_login(self) -> None:
        # An empty value, not an absent one: a developer's .env cannot fill it in.
        env = {**child_env(), "FLOWER_BASIC_AUTH": ""}
        env.pop("FLOWER_AUTH", None)
        child = Child([*flower_args(free_port()), "--address=127.0.0.1"], env)
        self.addCleanup(child.kill)
        self.assertEqual(child.process.wait(timeout=60), 1)
        self.assertIn("Flower needs a login: set FLOWER_BASIC_AUTH", child.stderr())
