#!/usr/bin/env python3
"""Reference ε of DP-SGD from Google's dp-accounting package, for gan-core's RDP accountant test.

    pip install dp-accounting==0.4.4
    python3 packages/gan-core/scripts/privacy-reference.py > /tmp/dp-accounting-rows.json

prints one row per setting in the format of test/privacy-reference.json ('source': 'dp-accounting',
its default RDP orders, improved conversion); append them to that file's "settings" and run
`pnpm --filter @ganmod/gan-core exec vitest run test/privacy-rdp.test.ts` (1% tolerance).
"""
import json

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

rows = []
for q, sigma, steps, delta in SETTINGS:
    accountant = rdp_privacy_accountant.RdpAccountant()
    accountant.compose(
        dp_event.PoissonSampledDpEvent(q, dp_event.GaussianDpEvent(sigma)), steps
    )
    rows.append({
        "source": "dp-accounting",
        "sampleRate": q,
        "noiseMultiplier": sigma,
        "steps": steps,
        "delta": delta,
        "orders": "dp_accounting",
        "conversion": "improved",
        "epsilon": accountant.get_epsilon(delta),
    })
print(json.dumps(rows, indent=2))
