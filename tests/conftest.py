"""Settings shared by every test.

Hypothesis: no per-example deadline. These machines are shared and noisy, and a property test checks what
a function returns, never how fast (speed is measured by the scripts under benchmarks/).
"""

from __future__ import annotations

from hypothesis import settings

settings.register_profile("shared-machine", deadline=None)
settings.load_profile("shared-machine")
