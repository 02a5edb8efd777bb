"""The Grokfast task's model in PyTorch, for the yardsticks in this folder: the reference code's
causal decoder (width 128, 2 layers, 4 heads, 4x GELU MLP, learned positions, the block
x = LN1(x); x = x + attn(x); x = x + MLP(LN2(x)), final LayerNorm, bias-free head; 422,784 parameters
with vocab 99), PyTorch's default initialisation. Inputs are [T, B] tokens."""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


def require_fast_blas():
    """Exit with a one-line error where PyTorch's CPU products run on the reference BLAS (Debian's
    python3-torch without libopenblas0-pthread, or with libblas.so.3 pointed at the reference: ≈1 s
    a step instead of ≈0.07), which would make any comparison meaningless. Looks at the libblas this
    process has mapped (Linux only; a PyTorch with its BLAS built in maps none and passes)."""
    torch.ones(64, 64) @ torch.ones(64, 64)  # loads the BLAS
    try:
        with open('/proc/self/maps') as f:
            libs = {line.split()[-1] for line in f if '/libblas.so' in line}
    except OSError:
        return
    slow = sorted(lib for lib in libs if not any(k in lib for k in ('openblas', 'mkl', 'blis', 'atlas')))
    if slow:
        sys.exit(f"expected PyTorch on OpenBLAS, MKL or BLIS, got the BLAS at {', '.join(slow)} (Debian: apt install libopenblas0-pthread)")


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads)
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):  # x: [T, B, d]
        t = x.shape[0]
        mask = torch.triu(torch.full((t, t), float('-inf'), device=x.device), 1)
        x = self.norm1(x)
        x = x + self.attn(x, x, x, attn_mask=mask, need_weights=False)[0]
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class Model(nn.Module):
    def __init__(self, d=128, depth=2, heads=4, vocab=99, last_only=False):
        super().__init__()
        self.last_only = last_only
        self.tokens, self.positions = nn.Embedding(vocab, d), nn.Embedding(5, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(depth))
        self.norm, self.head = nn.LayerNorm(d), nn.Linear(d, vocab, bias=False)

    def forward(self, x):  # x: [T, B] → logits [T, B, vocab], or [B, vocab] for the last position with last_only
        h = self.tokens(x) + self.positions(torch.arange(x.shape[0], device=x.device)).unsqueeze(1)
        for b in self.blocks:
            h = b(h)
        return self.head(self.norm(h[-1] if self.last_only else h))
