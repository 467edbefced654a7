"""What runs the system: compose, Dockerfile, start scripts, settings, Flower, the README."""
