#!/usr/bin/env python3
"""Reference ε of DP-SGD from Google's dp-accounting package, for gan-core's RDP accountant test.

Where PyPI is reachable:

    pip install dp-accounting==0.4.4
    python3 packages/gan-core/scripts/privacy-reference.py > /tmp/dp-accounting-rows.json

Without PyPI (how the committed rows were made): put the upstream sources of the RDP accountant in
a tree outside this repository and point PYTHONPATH at it. Needs numpy, scipy and attrs.

    /tmp/dp_accounting_src/dp_accounting/...   from github.com/google/differential-privacy,
        python/dp_accounting/dp_accounting/, verbatim:
        dp_event.py                    @ 9b4401a9d031572c384ece58d6b14c22e19eb433
        dp_event_builder.py            @ c13713403975aab2f23850654205501cb3e96c49
        privacy_accountant.py          @ 7b02d985f49bd7d9a500d7e15c11d45efd15f9f0
        rdp/__init__.py                @ 7b02d985f49bd7d9a500d7e15c11d45efd15f9f0
        rdp/rdp_privacy_accountant.py  @ d986e7ffc084ba6924d37b738df31f0638c01fe0
      plus two shims: dp_accounting/__init__.py = upstream's (@ 9b4401a9) without its
      `mechanism_calibration` and `pld` imports (not fetched, unused by the RDP accountant), and
      absl/logging.py = `warning = logging.getLogger('absl').warning` (absl-py is not installed;
      the accountant only logs warnings with it).

    DP_ACCOUNTING_SOURCE='RdpAccountant of google/differential-privacy python/dp_accounting (rdp/rdp_privacy_accountant.py @ d986e7ffc084ba6924d37b738df31f0638c01fe0)' \
      PYTHONPATH=/tmp/dp_accounting_src python3 packages/gan-core/scripts/privacy-reference.py \
      > /tmp/dp-accounting-rows.json

Either way it prints one row per setting in the format of test/privacy-reference.json (source
'dp-accounting…' naming the package version or DP_ACCOUNTING_SOURCE, its default RDP orders,
improved conversion). Replace that file's "settings" rows whose source starts with
'dp-accounting' by them and run
`pnpm --filter @ganmod/gan-core exec vitest run test/privacy-rdp.test.ts` (1% tolerance).
For q 0.1, σ 0.8 dp_accounting logs that orders 1.1-1.6 did not converge and leaves them out
(so does gan-core); the optimal order there is 2.5, so ε is unaffected.
"""
import importlib.metadata
import json
import os

from dp_accounting import dp_event
from dp_accounting.rdp import rdp_privacy_accountant

# (sampling rate, noise multiplier, steps, delta): MNIST-sized runs of this project and the
# published settings the test already carries.
SETTINGS = [
    (64 / 60000, 1.0, 2000, 1e-5),
    (64 / 60000, 0.6, 20000, 1e-5),
    (64 / 60000, 2.5, 50000, 1e-5),
    (256 / 60000, 1.1, 14063, 1e-5),
    (0.01, 4.0, 10000, 1e-5),
    (0.01, 8.0, 10000, 1e-5),
    (0.04, 1.5, 2250, 1e-5),
    (0.1, 0.8, 100, 1e-6),
]


def source_note() -> str:
    """Where dp_accounting came from: $DP_ACCOUNTING_SOURCE, else the installed package version."""
    note = os.environ.get("DP_ACCOUNTING_SOURCE")
    if note:
        return f"dp-accounting: {note}"
    try:
        return f"dp-accounting {importlib.metadata.version('dp-accounting')} (PyPI)"
    except importlib.metadata.PackageNotFoundError:
        return "dp-accounting (version unknown: set DP_ACCOUNTING_SOURCE)"


rows = []
for q, sigma, steps, delta in SETTINGS:
    accountant = rdp_privacy_accountant.RdpAccountant()
    accountant.compose(
        dp_event.PoissonSampledDpEvent(q, dp_event.GaussianDpEvent(sigma)), steps
    )
    rows.append({
        "source": source_note(),
        "sampleRate": q,
        "noiseMultiplier": sigma,
        "steps": steps,
        "delta": delta,
        "orders": "dp_accounting",
        "conversion": "improved",
        "epsilon": accountant.get_epsilon(delta),
    })
print(json.dumps(rows, indent=2))
