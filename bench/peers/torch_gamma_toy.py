"""PyTorch peer of the gamma toy (issue 13 item 7): d/d(k, mu) E[sum_j (z_j - 0.49)^2], z_j ~ Gamma(k_j, scale mu_j).

Pathwise: rsample of torch.distributions.Gamma (implicit reparameterisation) and backward; score: sample, log_prob,
backward of mean(f * sum log p). CPU, one thread. Prints one JSON object per (estimator, samples) line:
us per gradient (wall clock and this thread's CPU time), and the trace of the covariance of the gradient over the repetitions (for variance x time).
Run by `dotnet run -c Release --project bench/SeriesCompiler.Bench -- gamma-toy`; needs python3-torch.
"""
import argparse
import json
import time

import torch


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--d", type=int, default=100)
    parser.add_argument("--k", type=float, default=2.5)
    parser.add_argument("--mu", type=float, default=0.7)
    parser.add_argument("--samples", type=int, nargs="+", default=[1, 1000])
    parser.add_argument("--reps", type=int, nargs="+", default=[2000, 20])
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(1)
    k = torch.full((args.d,), args.k, dtype=torch.float64, requires_grad=True)
    mu = torch.full((args.d,), args.mu, dtype=torch.float64, requires_grad=True)

    def pathwise(s):
        z = torch.distributions.Gamma(k, 1.0 / mu).rsample((s,))
        ((z - 0.49) ** 2).sum(-1).mean().backward()

    def score(s):
        dist = torch.distributions.Gamma(k, 1.0 / mu)
        z = dist.sample((s,))
        f = ((z - 0.49) ** 2).sum(-1)
        (f * dist.log_prob(z).sum(-1)).mean().backward()

    for name, step in (("pathwise", pathwise), ("score", score)):
        for s, reps in zip(args.samples, args.reps):
            for _ in range(max(3, reps // 20)):  # warm-up
                k.grad = mu.grad = None
                step(s)
            grads = []
            cpu = time.thread_time()
            start = time.perf_counter()
            for _ in range(reps):
                k.grad = mu.grad = None
                step(s)
                grads.append(torch.cat([k.grad, mu.grad]))
            elapsed = time.perf_counter() - start
            cpu = time.thread_time() - cpu
            g = torch.stack(grads)
            print(json.dumps({
                "estimator": name, "samples": s, "reps": reps,
                "us_per_gradient": 1e6 * elapsed / reps,
                # this thread's CPU time (steadier than the wall clock on a loaded machine; torch runs on one thread)
                "cpu_us_per_gradient": 1e6 * cpu / reps,
                "variance_trace": float(g.var(dim=0).sum()),
            }), flush=True)


if __name__ == "__main__":
    main()
