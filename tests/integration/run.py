#!/usr/bin/env python3
"""Runs the integration tests (real BPF, root). Usage:
    tests/integration/run.py [--quick] [--core] [TEST_NAME...]
--quick: the tests also run under the sanitizer build; --core: those that
need no optional kernel feature (run once with each refused).
IPCSCOPE=path selects the binary (default build/ipcscope)."""
import sys

import harness
import test_core  # noqa: F401  (registers its tests)
import test_ipc  # noqa: F401
import test_demos_json  # noqa: F401
import test_top  # noqa: F401
import test_features  # noqa: F401
import test_agree  # noqa: F401
import test_strace  # noqa: F401
import test_model  # noqa: F401
import test_lifecycle  # noqa: F401
import test_replay  # noqa: F401

if __name__ == "__main__":
    sys.exit(harness.main(sys.argv[1:]))
