"""What every operator-edited model shares: validation on save, system columns left alone."""

from typing import Any, ClassVar

from django.db import models, transaction


class GuardedModel(models.Model):
    """A model validated on every save, whose `save()` leaves system-maintained columns alone.

    Validating here, not only in forms, keeps a bad time zone typed in the shell from reaching the
    periodic tasks.
    """

    system_fields: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.full_clean()
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in self.system_fields
            ]
        # The receivers that re-evaluate campaigns run in the same transaction as the write.
        with transaction.atomic():
            super().save(*args, **kwargs)
