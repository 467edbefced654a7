"""schemathesis over every operation of the OpenAPI description, against the running app.

Its CLI runs as a real subprocess against the live server: generated bodies, headers and ids,
valid and not. The verdict: no 500 for any of them, and every response matching the schema
(status codes and bodies as described). Bounded examples in deterministic mode keep it under
a minute and the same on every run.
"""

import subprocess
import sys
from pathlib import Path

from ads.tests.api.live import LiveApiCase

ST = Path(sys.executable).with_name("st")


class SchemathesisTests(LiveApiCase):
    def test_every_operation_holds_to_its_description(self) -> None:
        result = subprocess.run(
            [
                str(ST),
                "run",
                f"{self.live_server_url}/api/v1/openapi.json",
                "--header",
                f"Authorization: Bearer {self.key}",
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,"
                "response_schema_conformance",
                "--max-examples",
                "25",
                "--generation-deterministic",
                "--request-timeout",
                "20",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        self.assertEqual(result.returncode, 0, result.stdout[-6000:] + result.stderr[-2000:])
        self.assertIn("Tested: 5", result.stdout)
