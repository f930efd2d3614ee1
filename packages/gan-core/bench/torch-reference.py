#!/usr/bin/env python3
"""Reference timings for the same GAN training steps in PyTorch on the CPU.

The project's own training benchmark (packages/gan-core/src/bench/train.ts, built to
dist/bench/train.js) is compared against this, side by side, in the same run on the same machine:
`pnpm bench:vs-torch` (scripts/bench-vs-torch.mjs) runs both. Install once with Debian's packages:
    apt-get install -y python3-torch
and run with Debian's interpreter, from the repository root:
    /usr/bin/python3 packages/gan-core/bench/torch-reference.py --model dcgan --batch 64 --steps 10

It prints one JSON line: {"model", "batch", "threads", "ms_per_step_median",
"cpu_ms_per_step_median", ...}.
A "step" is one discriminator update followed by one generator update,
non-saturating BCE with logits, Adam(2e-4, beta1=0.5), random data of the real shape.

Architectures (match them exactly in the project's benchmark, src/bench/models.ts):
  mlp   (the seed's GAN, 28x28x1): G z100 -> 256 -> 512 -> 784 tanh (LeakyReLU 0.2, BatchNorm after the hidden layers);
        D 784 -> 512 -> 256 -> 1 (LeakyReLU 0.2)
  dcgan (the TensorFlow DCGAN tutorial, 28x28x1): G z100 -> Dense 7*7*256 -> BN -> LReLU -> ConvT 128 k5 s1
        -> BN -> LReLU -> ConvT 64 k5 s2 -> BN -> LReLU -> ConvT 1 k5 s2 tanh;
        D Conv 64 k5 s2 -> LReLU -> Dropout .3 -> Conv 128 k5 s2 -> LReLU -> Dropout .3 -> Flatten -> Dense 1
"""
import argparse, json, statistics, time
import torch
import torch.nn as nn


def mlp():
    g = nn.Sequential(
        nn.Linear(100, 256), nn.BatchNorm1d(256), nn.LeakyReLU(0.2),
        nn.Linear(256, 512), nn.BatchNorm1d(512), nn.LeakyReLU(0.2),
        nn.Linear(512, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))
    d = nn.Sequential(
        nn.Flatten(), nn.Linear(784, 512), nn.LeakyReLU(0.2),
        nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1))
    return g, d


def dcgan():
    g = nn.Sequential(
        nn.Linear(100, 7 * 7 * 256, bias=False), nn.BatchNorm1d(7 * 7 * 256), nn.LeakyReLU(0.2),
        nn.Unflatten(1, (256, 7, 7)),
        nn.ConvTranspose2d(256, 128, 5, 1, 2, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(128, 64, 5, 2, 2, output_padding=1, bias=False), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(64, 1, 5, 2, 2, output_padding=1, bias=False), nn.Tanh())
    d = nn.Sequential(
        nn.Conv2d(1, 64, 5, 2, 2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
        nn.Conv2d(64, 128, 5, 2, 2), nn.LeakyReLU(0.2), nn.Dropout(0.3),
        nn.Flatten(), nn.Linear(128 * 7 * 7, 1))
    return g, d


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=["mlp", "dcgan"], default="dcgan")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=0, help="0: torch's default")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    g, d = (mlp if a.model == "mlp" else dcgan)()
    og = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
    od = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    real = torch.rand(a.batch, 1, 28, 28) * 2 - 1
    ones, zeros = torch.ones(a.batch, 1), torch.zeros(a.batch, 1)
    times, cpu_times = [], []
    for i in range(a.warmup + a.steps):
        t = time.perf_counter()
        c = time.process_time()  # CPU time of all the process's threads, like bench:train's
        z = torch.randn(a.batch, 100)
        fake = g(z)
        od.zero_grad()
        ld = bce(d(real), ones) + bce(d(fake.detach()), zeros)
        ld.backward()
        od.step()
        og.zero_grad()
        lg = bce(d(fake), ones)
        lg.backward()
        og.step()
        if i >= a.warmup:
            times.append((time.perf_counter() - t) * 1000)
            cpu_times.append((time.process_time() - c) * 1000)
    print(json.dumps({
        "impl": "pytorch-" + torch.__version__, "model": a.model, "batch": a.batch,
        "threads": torch.get_num_threads(), "steps": a.steps,
        "ms_per_step_median": round(statistics.median(times), 2),
        "ms_per_step_min": round(min(times), 2), "ms_per_step_max": round(max(times), 2),
        "cpu_ms_per_step_median": round(statistics.median(cpu_times), 2)}))


if __name__ == "__main__":
    main()
