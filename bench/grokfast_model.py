"""The Grokfast task's model in PyTorch, for the yardsticks in this folder: the reference code's
causal decoder (width 128, 2 layers, 4 heads, 4x GELU MLP, learned positions, the block
x = LN1(x); x = x + attn(x); x = x + MLP(LN2(x)), final LayerNorm, bias-free head; 422,784 parameters
with vocab 99), PyTorch's default initialisation. Inputs are [T, B] tokens."""
import torch
import torch.nn as nn
import torch.nn.functional as F


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
