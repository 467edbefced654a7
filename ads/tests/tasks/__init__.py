"""The periodic tasks (ads.tasks) on a real worker, and the beat schedule that sends them."""
