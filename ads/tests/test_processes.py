"""The test harness's own promise: a child process leaves nothing behind in the temporary
directory, whichever way a test ends with it."""

import gc
import signal
import sys

from django.test import SimpleTestCase

from ads.tests.processes import Child, wait_until

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(600)"]


class ChildFolderTests(SimpleTestCase):
    def start(self, args: list[str]) -> Child:
        child = Child(args, {})
        self.addCleanup(child.close)
        self.assertTrue(child.directory.is_dir())
        return child

    def test_a_child_that_exits_by_itself_removes_its_folder_and_keeps_its_output(self) -> None:
        child = self.start([sys.executable, "-c", "import sys; print('out'); sys.exit('err')"])
        self.assertEqual(child.wait(timeout=60), 1)
        self.assertFalse(child.directory.exists())
        self.assertEqual(child.stdout(), "out\n")
        self.assertEqual(child.stderr(), "err\n")

    def test_a_child_stopped_by_a_kill_removes_its_folder(self) -> None:
        child = self.start(SLEEPER)
        wait_until(lambda: child.stdout() == "up\n", 60, "the child to start")
        child.kill()
        self.assertFalse(child.running())
        self.assertFalse(child.directory.exists())
        self.assertEqual(child.stdout(), "up\n")

    def test_a_child_stopped_by_sigterm_and_seen_to_exit_removes_its_folder(self) -> None:
        child = self.start(SLEEPER)
        child.kill(signal.SIGTERM)
        wait_until(lambda: not child.running(), 60, "the child to exit")
        self.assertFalse(child.directory.exists())

    def test_a_child_its_caller_forgets_removes_its_folder_when_collected(self) -> None:
        child = Child([sys.executable, "-c", "pass"], {})
        directory = child.directory
        child.process.wait(timeout=60)  # past the Child: it never sees the exit itself
        self.assertTrue(directory.is_dir())
        del child
        gc.collect()
        self.assertFalse(directory.exists())
