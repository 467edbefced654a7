"""The schedule's own page: extra windows added from a link on the campaign page, a page whose
windows overlap refused naming both, and windows moved past each other in one save accepted."""

from datetime import time
from typing import Any

from django.contrib.auth.models import Group, User
from django.urls import reverse

from ads.models import DaypartingSchedule, DaypartingWindow
from ads.tests.admin.test_queries import SuperuserTestCase
from ads.tests.builders import make_brand, make_campaign, make_schedule

WEEKDAYS = ["0", "1", "2", "3", "4"]


class ScheduleWindowsPageTests(SuperuserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.campaign = make_campaign(make_brand(timezone="America/New_York"))
        self.schedule = make_schedule(self.campaign, time(9), time(12), [0, 1, 2, 3, 4])
        self.url = reverse("admin:ads_daypartingschedule_change", args=[self.schedule.pk])

    def post(self, rows: list[tuple[str, str, list[str], int | None]]) -> Any:
        data: dict[str, Any] = {
            "start_time": "09:00",
            "end_time": "12:00",
            "days_of_week": WEEKDAYS,
            "timezone": "",
            "extra_windows-TOTAL_FORMS": str(len(rows)),
            "extra_windows-INITIAL_FORMS": str(sum(1 for *_, pk in rows if pk)),
            "extra_windows-MIN_NUM_FORMS": "0",
            "extra_windows-MAX_NUM_FORMS": "1000",
        }
        for number, (start, end, days, pk) in enumerate(rows):
            prefix = f"extra_windows-{number}-"
            data |= {f"{prefix}start_time": start, f"{prefix}end_time": end}
            data |= {f"{prefix}days_of_week": days, f"{prefix}schedule": str(self.schedule.pk)}
            data[f"{prefix}id"] = str(pk) if pk else ""
        return self.client.post(self.url, data)

    def windows(self) -> list[str]:
        return [str(window) for window in DaypartingWindow.objects.order_by("start_time")]

    def test_the_campaign_page_links_to_the_windows(self) -> None:
        page = self.client.get(reverse("admin:ads_campaign_change", args=[self.campaign.pk]))
        self.assertContains(page, f'<a href="{self.url}">Edit the windows (0 more)</a>', html=True)

    def test_two_windows_are_added_and_an_overlapping_third_is_refused_naming_both(self) -> None:
        response = self.post([("14:00", "16:00", WEEKDAYS, None), ("16:00", "18:00", ["2"], None)])
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.windows(), ["Mon–Fri 14:00–16:00", "Wed 16:00–18:00"])
        first, second = DaypartingWindow.objects.order_by("start_time")
        response = self.post(
            [
                ("14:00", "16:00", WEEKDAYS, first.pk),
                ("16:00", "18:00", ["2"], second.pk),
                ("11:00", "13:00", ["2"], None),
            ]
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Mon–Fri 09:00–12:00 overlaps Wed 11:00–13:00")
        self.assertEqual(self.windows(), ["Mon–Fri 14:00–16:00", "Wed 16:00–18:00"])

    def test_windows_swapped_in_one_save_are_judged_as_they_will_be(self) -> None:
        first = DaypartingWindow.objects.create(
            schedule=self.schedule, start_time=time(14), end_time=time(16), days_of_week=[0]
        )
        second = DaypartingWindow.objects.create(
            schedule=self.schedule, start_time=time(16), end_time=time(18), days_of_week=[0]
        )
        response = self.post(
            [("16:00", "18:00", ["0"], first.pk), ("14:00", "16:00", ["0"], second.pk)]
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.windows(), ["Mon 14:00–16:00", "Mon 16:00–18:00"])
        self.assertEqual(DaypartingSchedule.objects.get().extra_windows.count(), 2)


class AdOpsScheduleWindowsTests(ScheduleWindowsPageTests):
    """The same page as an "Ad ops" member (migration 0008 grants the window permissions)."""

    def setUp(self) -> None:
        super().setUp()
        member = User.objects.create_user("ops", password="pw-123-secret", is_staff=True)
        member.groups.add(Group.objects.get(name="Ad ops"))
        self.client.force_login(member)
