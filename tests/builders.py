"""The tests' builders are the package's own (the demo builds its studios with them too)."""

from casework.builders import *  # noqa: F403
