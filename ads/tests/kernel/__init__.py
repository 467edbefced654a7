"""The kernel (ads.money, ads.periods, ads.validators): amounts, local periods, storable values."""
