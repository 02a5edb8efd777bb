"""PyTorch yardstick for examples/grokfast and GrokBench's baseline: the Grokfast task (x·y mod 97,
x in 0..96, y in 1..96, a random half for training) trained as the Grokfast reference code does it
(Adam lr 1e-3, betas 0.9/0.98, lr warm-up over the first 10 updates, batch 512 with the epoch's
last, smaller batch kept, loss on the answer token), with PyTorch's own initialisation, split and
batch order from `--seed`. Prints one JSON line per evaluation (all 4,656 held-out equations) and a
last line with the steps to 95% validation accuracy. The model is bench/grokfast_model.py's
(422,784 parameters), as in bench/pytorch-grokfast-step.py.

    /usr/bin/python3 bench/pytorch-grokfast-train.py --seed 0 [--steps 2000] [--eval-every 100]
        [--filter none|ema] [--wd 0] [--threads 1] [--until 0.95] [--init FILE]

With --init FILE (from `npx tsx bench/grokfast-draws.ts --seed S`) it starts from grokkit's draws
instead: the same initial parameters, split and batches as grokkit's run of seed S.

Grokfast-EMA is α 0.98, λ 2 (pass --wd 0.005 for the paper's run). Needs PyTorch (Debian's
python3-torch with libopenblas0-pthread). A yardstick, not part of the toolkit.
"""
import argparse, json, os, sys, time

if 'MALLOC_MMAP_THRESHOLD_' not in os.environ:  # see bench/pytorch-grokfast-step.py
    os.environ.update(MALLOC_MMAP_THRESHOLD_='1000000000', MALLOC_TRIM_THRESHOLD_='1000000000', MALLOC_TOP_PAD_='100000000')
    # OpenBLAS keeps its own threads, which spin while they wait: beside another busy process they
    # made a one-thread run 5-6x slower; give it the threads asked for
    threads = sys.argv[sys.argv.index('--threads') + 1] if '--threads' in sys.argv[:-1] else '1'
    os.environ.setdefault('OPENBLAS_NUM_THREADS', threads)
    os.execv(sys.executable, [sys.executable] + sys.argv)
import torch
import torch.nn.functional as F

from grokfast_model import Model, require_fast_blas

ap = argparse.ArgumentParser()
ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--steps', type=int, default=2000)
ap.add_argument('--eval-every', type=int, default=100)
ap.add_argument('--filter', choices=['none', 'ema'], default='none')
ap.add_argument('--wd', type=float, default=0.0)
ap.add_argument('--threads', type=int, default=1)
ap.add_argument('--until', type=float, default=0.95, help='stop at this validation accuracy (>1: never)')
ap.add_argument('--init', help="a safetensors file with grokkit's initial parameters (p.NAME), split (train.*, val.*) and batch order (order, sizes) to start from instead of PyTorch's own draws")
args = ap.parse_args()
torch.set_num_threads(args.threads)
require_fast_blas()
torch.manual_seed(args.seed)

P = 97
OP, EQ = P, P + 1


def read_safetensors(path):
    import struct
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    head = json.loads(raw[8:8 + n])
    kinds = {'F32': torch.float32, 'I32': torch.int32}
    return {k: torch.frombuffer(bytearray(raw[8 + n + v['data_offsets'][0]:8 + n + v['data_offsets'][1]]), dtype=kinds[v['dtype']]).reshape(v['shape'])
            for k, v in head.items() if k != '__metadata__'}


x = torch.arange(P).repeat_interleave(P - 1)
y = torch.arange(1, P).repeat(P)
eqs = torch.stack([x, torch.full_like(x, OP), y, torch.full_like(x, EQ), (x * y) % P])  # [5, 9312]
perm = torch.randperm(eqs.shape[1])
half = eqs.shape[1] // 2
train, val = eqs[:, perm[:half]], eqs[:, perm[half:]]

model = Model(vocab=P + 2, last_only=True)
given = read_safetensors(args.init) if args.init else None
if given:
    # grokkit's names → this model's: q, k, v stacked into MultiheadAttention's in_proj
    ours = {k[2:]: v for k, v in given.items() if k.startswith('p.')}
    state = {}
    for k, v in ours.items():
        k = k.replace('.mlp.', '.').replace('.attn.out.', '.attn.out_proj.')
        if '.attn.q.' in k or '.attn.k.' in k or '.attn.v.' in k:
            continue
        state[k] = v
    for i in range(len(model.blocks)):
        for w in ('weight', 'bias'):
            state[f'blocks.{i}.attn.in_proj_{w}'] = torch.cat([ours[f'blocks.{i}.attn.{n}.{w}'] for n in 'qkv'])
    model.load_state_dict(state)
    cat = lambda s: torch.cat([given[f'{s}.inputs'].long().T, given[f'{s}.targets'].long()[None]])
    train, val = cat('train'), cat('val')
    order, sizes = given['order'].long(), given['sizes'].tolist()
opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.98), weight_decay=args.wd)
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda update: min(1.0, update / 10))
mu = None


@torch.no_grad()
def accuracy(data):
    model.eval()
    right = sum((model(b[:4]).argmax(-1) == b[4]).sum().item() for b in torch.split(data, 1024, dim=1))
    model.train()
    return right / data.shape[1]


def batches():
    if given:  # grokkit's batch order, step by step
        at = 0
        for n in sizes:
            yield train[:, order[at:at + n]]
            at += n
        raise SystemExit(f'--init: the file holds the batches of {len(sizes)} steps, fewer than --steps {args.steps}')
    while True:  # reshuffled epochs, the last batch of each smaller
        yield from torch.split(train[:, torch.randperm(half)], 512, dim=1)


step, reached, t0, losses = 0, None, time.perf_counter(), []
for batch in batches():
    loss = F.cross_entropy(model(batch[:4]), batch[4])
    opt.zero_grad()
    loss.backward()
    if args.filter == 'ema':
        with torch.no_grad():
            if mu is None:
                mu = [p.grad.clone() for p in model.parameters()]
            for m, p in zip(mu, model.parameters()):
                m.mul_(0.98).add_(p.grad, alpha=0.02)
                p.grad.add_(m, alpha=2)
    opt.step()
    sched.step()
    step += 1
    losses.append(loss.item())
    if step % args.eval_every == 0:
        acc = accuracy(val)
        print(json.dumps({'step': step, 'valAcc': round(acc, 4), 'trainLoss': sum(losses) / len(losses), 'wallSeconds': round(time.perf_counter() - t0, 1)}), flush=True)
        losses = []
        if acc >= args.until and reached is None:
            reached = step
    if step >= args.steps or reached is not None:
        break
print(json.dumps({'seed': args.seed, 'init': args.init, 'filter': args.filter, 'wd': args.wd, 'steps': step, 'stepsTo95': reached, 'torch': torch.__version__}))
