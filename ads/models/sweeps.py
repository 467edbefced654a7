"""Where the safety net's rolling pass over every campaign stands."""

from django.db import models


class SweepCursor(models.Model):
    """The safety net's place in its pass over every campaign, in id order.

    `enforce_budgets` judges a fixed slice of campaigns a run, the ones after `after_id`, so a
    run costs the same at any number of campaigns (`CampaignService.safety_net`). The row is
    written only by that sweep, after its slice is judged: a run that dies first leaves it, and
    the next run judges the same slice again.
    """

    name = models.CharField(max_length=50, primary_key=True)
    after_id = models.BigIntegerField(
        default=0, help_text="The last campaign id the pass has judged; 0 at the start of a pass."
    )
    passed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last full pass over every campaign ended."
    )

    class Meta:
        verbose_name = "sweep cursor"

    def __str__(self) -> str:
        return f"{self.name} after campaign {self.after_id}"
