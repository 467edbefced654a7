"""API keys: made with the command or the admin, shown once, stored hashed, revocable."""

import hashlib
from io import StringIO

from django.contrib.auth.models import Permission, User
from django.core.management import CommandError, call_command
from django.test import TestCase

from ads.models import ApiKey
from ads.services.api_keys import create_key, revoke_keys, verify_key


class KeyServiceTests(TestCase):
    def test_a_key_is_stored_as_its_sha256_and_verified_until_revoked(self) -> None:
        made = create_key("connector", scopes=["read", "ingest", "read"])
        stored = ApiKey.objects.get()
        self.assertEqual(stored.key_hash, hashlib.sha256(made.key.encode()).hexdigest())
        self.assertNotIn(made.key, str(ApiKey.objects.values().get()))
        self.assertEqual(stored.scopes, ["ingest", "read"])
        self.assertEqual(verify_key(made.key), stored)
        self.assertIsNone(verify_key(made.key + "x"))
        self.assertIsNone(verify_key("bsk_" + "x" * 43))
        self.assertEqual(revoke_keys([stored]), 1)
        self.assertIsNone(verify_key(made.key))


class CommandTests(TestCase):
    def test_the_key_is_printed_once_alone_on_the_last_line(self) -> None:
        out = StringIO()
        call_command(
            "create_api_key", "connector", "--scope", "ingest", "--scope", "read", stdout=out
        )
        lines = out.getvalue().splitlines()
        key = lines[-1]
        self.assertEqual(out.getvalue().count(key), 1)
        self.assertEqual(verify_key(key), ApiKey.objects.get(name="connector"))
        self.assertEqual(ApiKey.objects.get().scopes, ["ingest", "read"])

    def test_a_scope_is_required_and_known(self) -> None:
        for args in ([], ["--scope", "admin"]):
            with self.subTest(args=args), self.assertRaises(CommandError):
                call_command("create_api_key", "connector", *args, stdout=StringIO())
        self.assertFalse(ApiKey.objects.exists())


class AdminTests(TestCase):
    def test_only_superusers_see_api_keys(self) -> None:
        staff = User.objects.create_user("ops", password="pw", is_staff=True)
        staff.user_permissions.set(Permission.objects.filter(codename__endswith="apikey"))
        self.client.force_login(staff)
        self.assertEqual(self.client.get("/admin/ads/apikey/").status_code, 403)
        self.assertEqual(self.client.get("/admin/ads/apikey/add/").status_code, 403)

    def test_the_key_is_shown_once_after_it_is_made_and_revoked_by_the_action(self) -> None:
        admin = User.objects.create_superuser("root", password="pw")
        self.client.force_login(admin)
        response = self.client.post(
            "/admin/ads/apikey/add/", {"name": "connector", "scopes": ["ingest"]}, follow=True
        )
        shown = [str(m) for m in response.context["messages"]]
        key = shown[0].rsplit(" ", 1)[-1]
        stored = ApiKey.objects.get()
        self.assertEqual(verify_key(key), stored)
        self.assertEqual(stored.scopes, ["ingest"])
        again = self.client.get(f"/admin/ads/apikey/{stored.pk}/change/")
        self.assertNotContains(again, key)
        self.client.post(
            "/admin/ads/apikey/",
            {"action": "revoke", "_selected_action": [stored.pk]},
            follow=True,
        )
        self.assertIsNone(verify_key(key))
