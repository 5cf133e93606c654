"""Every limit a person can meet, library and page, in one place.

The page shows them next to the fields they bound (labels such as "Learning rate (0.001–100)") and in
the messages of backprop/parse.py; the CLI's --help and the links use the same numbers.
"""

from __future__ import annotations

# --- tables
MAX_INPUTS = 8
MAX_OUTPUTS = 4
MAX_ROWS = 256
UPLOAD_LIMIT_MB = 1  # a CSV file: the page's uploader, server.maxUploadSize and the CLI's --table
MAX_CSV_BYTES = UPLOAD_LIMIT_MB * 1024 * 1024

# --- networks
MAX_HIDDEN_LAYERS = 6
MAX_HIDDEN_UNITS = 8

# --- generated 2-D datasets and the test split
MIN_POINTS = 10
MAX_POINTS = 256  # = MAX_ROWS
MAX_NOISE = 0.5
MAX_TEST_FRACTION = 0.9

# --- training (the library)
MAX_LEARNING_RATE = 100.0  # the library takes any rate above 0 up to this
MAX_ITERATIONS = 1_000_000
MAX_SEED = 2**32 - 1
DEFAULT_HISTORY_SIZE = 1000  # snapshots a run keeps, whatever its length
MAX_TARGET_LOSS = 10.0  # the page, links and CLI; the library takes any target >= 0
MAX_REG_RATE = 10.0  # the L1/L2 penalty's rate

# --- the page and its links
MIN_LEARNING_RATE = 0.001  # the page's and links' smallest learning rate
APP_MAX_ITERATIONS = 100_000  # Train on the page (and a link) trains at most this many updates
MAX_TABLE_CHARS = 4096  # a table longer than this is not put in (or read from) a link
MAX_VALUE_CHARS = 100  # any other link value

# --- many runs at once
MAX_RUNS = 4096
MAX_BATCH_VALUES = 1 << 22  # runs x rows x units in one activation array (32 MB of float64)
