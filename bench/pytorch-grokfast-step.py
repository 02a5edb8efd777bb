"""PyTorch reference for bench/grokfast-step.ts: one training step of the Grokfast task model
(width 128, 2 layers, 4 heads, vocab 99, T = 4, batch 512, loss on the last position) with the
Grokfast-EMA filter and Adam, on the CPU (or a CUDA GPU). Prints one JSON line with the median
step time.

    python3 bench/pytorch-grokfast-step.py [--steps 20] [--threads N] [--blas-threads N] [--device cpu|cuda]

Needs PyTorch (e.g. Debian's python3-torch, run with /usr/bin/python3) and, for Debian's build, OpenBLAS
(apt libopenblas0-pthread: without it the reference BLAS takes ≈1 s a step). A yardstick, not part of the toolkit.
"""
import argparse, json, os, statistics, sys, time

# glibc hands large freed buffers back to the OS and faults them in again on the next step, which
# made this step bimodal on the development machine (60–80 ms or ≈200 ms from step to step); keep
# them instead, as a tuned PyTorch setup (or jemalloc) would. glibc reads these when the process
# starts, hence the re-exec.
if 'MALLOC_MMAP_THRESHOLD_' not in os.environ:
    os.environ.update(MALLOC_MMAP_THRESHOLD_='1000000000', MALLOC_TRIM_THRESHOLD_='1000000000', MALLOC_TOP_PAD_='100000000')
    # OpenBLAS starts its own threads (one per core, whatever torch.set_num_threads says), which spin
    # while they wait: give it the threads asked for (--blas-threads, else --threads)
    for flag in ('--blas-threads', '--threads'):
        if flag in sys.argv[:-1]:
            os.environ.setdefault('OPENBLAS_NUM_THREADS', sys.argv[sys.argv.index(flag) + 1])
    os.execv(sys.executable, [sys.executable] + sys.argv)
import torch
import torch.nn.functional as F

from grokfast_model import Model, require_fast_blas

ap = argparse.ArgumentParser()
ap.add_argument('--steps', type=int, default=20)
ap.add_argument('--threads', type=int, default=0)
ap.add_argument('--device', default='cpu')
ap.add_argument('--blas-threads', type=int, default=0, help="OpenBLAS's threads (default: --threads; unset: one per core)")
args = ap.parse_args()
dev = torch.device(args.device)
if dev.type == 'cpu':
    require_fast_blas()
if args.threads:
    torch.set_num_threads(args.threads)


torch.manual_seed(0)
model = Model().to(dev)
opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.98), weight_decay=0.005)
tokens = torch.randint(0, 99, (4, 512), device=dev)
targets = torch.randint(0, 97, (512,), device=dev)
mu = None


def step():
    global mu
    t0 = time.perf_counter()
    loss = F.cross_entropy(model(tokens)[-1], targets)
    opt.zero_grad()
    loss.backward()
    if mu is None:
        mu = {n: p.grad.detach().clone() for n, p in model.named_parameters()}
    for n, p in model.named_parameters():  # Grokfast-EMA, alpha 0.98, lambda 2
        mu[n] = mu[n] * 0.98 + p.grad.detach() * 0.02
        p.grad = p.grad + mu[n] * 2
    opt.step()
    if dev.type == 'cuda':
        torch.cuda.synchronize()
    return (time.perf_counter() - t0) * 1000


for _ in range(3):
    step()
times = sorted(step() for _ in range(args.steps))
print(json.dumps({'bench': 'grokfast-step', 'backend': f'pytorch-{torch.__version__}-{dev.type}', 'threads': torch.get_num_threads(), 'blas_threads': os.environ.get('OPENBLAS_NUM_THREADS'),
                  'batch': 512, 'params': sum(p.numel() for p in model.parameters()), 'steps': args.steps,
                  'step_ms': round(statistics.median(times), 1), 'p10_ms': round(times[len(times) // 10], 1), 'p90_ms': round(times[9 * len(times) // 10], 1)}))
