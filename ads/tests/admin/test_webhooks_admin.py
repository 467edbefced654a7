"""Who may do what with webhooks: superusers manage endpoints (they hold secrets); the Ad ops
group views events, deliveries and their attempts and delivers again, never seeing a secret."""

from django.contrib.auth.models import User
from django.test import TestCase
from django.urls import reverse

from ads.models import Campaign, Delivery, DeliveryAttempt, Event, WebhookEndpoint
from ads.services import CampaignService
from ads.tests.admin.test_permissions import staff_user
from ads.tests.builders import make_campaign

SECRET = "whsec-never-shown"


class WebhookAdminTests(TestCase):
    root: User
    member: User
    endpoint: WebhookEndpoint
    delivery: Delivery

    @classmethod
    def setUpTestData(cls) -> None:
        cls.root = User.objects.create_superuser("root", "root@example.com", "pw-123-secret")
        cls.member = staff_user("olga", group="Ad ops")
        campaign = make_campaign()
        cls.endpoint = WebhookEndpoint.objects.create(url="http://127.0.0.1:9/in", secret=SECRET)
        CampaignService.set_enabled(Campaign.objects.filter(pk=campaign.pk), False)
        cls.delivery = Delivery.objects.get()
        Delivery.objects.filter(pk=cls.delivery.pk).update(
            status=Delivery.Status.FAILED, attempts=33, last_error="HTTP 503"
        )
        DeliveryAttempt.objects.create(delivery=cls.delivery, status_code=503, error="HTTP 503")

    def test_a_superuser_adds_an_endpoint_with_its_event_types(self) -> None:
        self.client.force_login(self.root)
        response = self.client.post(
            reverse("admin:ads_webhookendpoint_add"),
            {
                "url": "https://hooks.example.com/budget",
                "secret": "s",
                "event_types": ["campaign.paused", "budget.alert"],
                "is_active": "on",
            },
        )
        self.assertEqual(response.status_code, 302)
        added = WebhookEndpoint.objects.get(url="https://hooks.example.com/budget")
        self.assertEqual(added.event_types, ["campaign.paused", "budget.alert"])

    def test_ad_ops_cannot_open_or_list_endpoints(self) -> None:
        self.client.force_login(self.member)
        for url in (
            reverse("admin:ads_webhookendpoint_changelist"),
            reverse("admin:ads_webhookendpoint_add"),
            reverse("admin:ads_webhookendpoint_change", args=[self.endpoint.pk]),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
        index = self.client.get(reverse("admin:index")).content.decode()
        self.assertNotIn("Webhook endpoints", index)
        self.assertIn("Deliveries", index)

    def test_ad_ops_see_deliveries_and_attempts_without_the_secret(self) -> None:
        self.client.force_login(self.member)
        pages = [
            reverse("admin:ads_delivery_changelist"),
            reverse("admin:ads_delivery_change", args=[self.delivery.pk]),
            reverse("admin:ads_event_changelist"),
            reverse("admin:ads_event_change", args=[self.delivery.event_id]),
        ]
        for url in pages:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertNotIn(SECRET, response.content.decode())
        detail = self.client.get(pages[1]).content.decode()
        self.assertIn("HTTP 503", detail)
        self.assertIn("UTC", detail)

    def test_ad_ops_deliver_again(self) -> None:
        self.client.force_login(self.member)
        response = self.client.post(
            reverse("admin:ads_delivery_changelist"),
            {"action": "deliver_again", "_selected_action": [self.delivery.pk]},
            follow=True,
        )
        self.assertContains(response, "1 delivery queued to send again.")
        self.delivery.refresh_from_db()
        self.assertEqual((self.delivery.status, self.delivery.attempts), ("pending", 0))
        self.assertEqual(self.delivery.attempt_log.count(), 1)  # the log is kept

    def test_a_staff_member_outside_the_group_sees_no_delivery(self) -> None:
        self.client.force_login(staff_user("nobody"))
        response = self.client.get(reverse("admin:ads_delivery_changelist"))
        self.assertEqual(response.status_code, 403)
        self.assertTrue(Event.objects.exists())
