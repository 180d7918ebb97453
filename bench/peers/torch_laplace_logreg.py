"""PyTorch peer of the Laplace logistic regression (issue 13 item 7): the gradient in (mu, b) of
E_w[(N/B) sum_{n in batch} log sigmoid(s_n x_n . w)], w_j ~ Laplace(mu_j, b_j), s_n = +1 for label 1 and -1 for 0,
on the breast cancer data (standardised with the population standard deviation, plus a bias column).

Pathwise: rsample of torch.distributions.Laplace and backward, float64, CPU, one thread. The batch rows and (mu, b)
come from the JSON file --problem (written by the C# side, so both measure the same problem). Prints one JSON line:
us per gradient (wall and process CPU time) and the trace of the covariance of the gradient over the repetitions (for variance x time).
Run by `dotnet run -c Release --project bench/SeriesCompiler.Bench -- logistic`; needs python3-torch.
"""
import argparse
import json
import time

import torch


def load(path):
    with open(path) as handle:
        lines = [line.strip() for line in handle.readlines()[1:] if line.strip()]
    raw = torch.tensor([[float(v) for v in line.split(",")] for line in lines], dtype=torch.float64)
    x, y = raw[:, :-1], raw[:, -1]
    x = (x - x.mean(0)) / x.std(0, unbiased=False)
    x = torch.cat([x, torch.ones(x.shape[0], 1, dtype=torch.float64)], dim=1)
    return x, y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--problem", required=True)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--reps", type=int, default=400)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(1)
    x, y = load(args.data)
    with open(args.problem) as handle:
        problem = json.load(handle)
    rows = torch.tensor(problem["rows"], dtype=torch.long)
    xb = x[rows]
    sb = (2 * y[rows] - 1)
    scale = x.shape[0] / len(problem["rows"])
    mu = torch.tensor(problem["mu"], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(problem["b"], dtype=torch.float64, requires_grad=True)

    def step():
        w = torch.distributions.Laplace(mu, b).rsample((args.samples,))      # samples x d
        margins = sb[:, None] * (xb @ w.T)                                   # batch x samples
        (scale * torch.nn.functional.logsigmoid(margins).sum(0).mean()).backward()

    for _ in range(max(5, args.reps // 10)):  # warm-up
        mu.grad = b.grad = None
        step()
    grads = []
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.reps):
        mu.grad = b.grad = None
        step()
        grads.append(torch.cat([mu.grad, b.grad]))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    g = torch.stack(grads)
    print(json.dumps({
        "estimator": "pathwise", "samples": args.samples, "reps": args.reps,
        "us_per_gradient": 1e6 * elapsed / args.reps,
        "cpu_us_per_gradient": 1e6 * cpu / args.reps,
        "variance_trace": float(g.var(dim=0).sum()),
    }), flush=True)


if __name__ == "__main__":
    main()
