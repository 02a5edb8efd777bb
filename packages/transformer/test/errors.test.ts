import { describe, expect, it } from 'vitest';
import { randn, tensor } from '@grokkit/core';
import {
  Block, Decoder, Encoder, LearnedPositions, MLP, MultiHeadAttention, Rotary, SinusoidalPositions,
} from '../src/index.js';

const wrong = randn([2, 3, 12]); // last dim 12 where 16 is expected

describe('wrong last dim: the message names the expected and the given shape', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['MLP', () => new MLP(16).forward(wrong), /MLP: expected input of shape \[\.\.\., 16\], got \[2, 3, 12\]/],
    ['MultiHeadAttention', () => new MultiHeadAttention(16, 4).forward(wrong), /MultiHeadAttention: expected input of shape \[B, T, 16\], got \[2, 3, 12\]/],
    ['Block', () => new Block(16).forward(wrong), /Block: expected input of shape \[B, T, 16\], got \[2, 3, 12\]/],
    ['LearnedPositions', () => new LearnedPositions(8, 16).forward(wrong), /LearnedPositions: expected input of shape \[B, T, 16\], got \[2, 3, 12\]/],
    ['SinusoidalPositions', () => new SinusoidalPositions(8, 16).forward(wrong), /SinusoidalPositions: expected input of shape \[B, T, 16\], got \[2, 3, 12\]/],
    ['Rotary', () => new Rotary(16, 8).forward(wrong), /Rotary: expected input of shape \[\.\.\., T, 16\], got \[2, 3, 12\]/],
    ['Decoder.transform', () => new Decoder({ vocabSize: 5, maxLen: 8, dim: 16 }).transform(wrong), /Decoder: expected input of shape \[B, T, 16\], got \[2, 3, 12\]/],
    ['Encoder.transform', () => new Encoder({ vocabSize: 5, maxLen: 8, dim: 16 }).transform(wrong), /Encoder: expected input of shape \[B, T, 16\], got \[2, 3, 12\]/],
  ];
  for (const [name, f, re] of cases) it(name, () => expect(f).toThrow(re));

  it('a non-float input is refused by name', () => {
    const ints = tensor([[[1, 2]]], { dtype: 'int32' });
    expect(() => new MLP(2).forward(ints)).toThrow(/MLP: expected a float input, got int32/);
    expect(() => new MultiHeadAttention(2, 1).forward(ints)).toThrow(/MultiHeadAttention: expected a float input, got int32/);
  });
});

describe('wrong dtype of tokens', () => {
  const floats = tensor([[1, 2, 3]]);
  it('Decoder', () => expect(() => new Decoder({ vocabSize: 5, maxLen: 4, dim: 8 }).forward(floats)).toThrow(/Decoder: expected int32 tokens, got float32/));
  it('Encoder', () => expect(() => new Encoder({ vocabSize: 5, maxLen: 4, dim: 8 }).forward(floats)).toThrow(/Encoder: expected int32 tokens, got float32/));
  it('token ids out of range and tokens of the wrong rank', () => {
    const m = new Decoder({ vocabSize: 5, maxLen: 4, dim: 8 });
    expect(() => m.forward(tensor([[1, 7]], { dtype: 'int32' }))).toThrow(/Decoder: expected token ids in \[0, 5\), got 7 at flat index 1/);
    expect(() => m.forward(tensor([1, 2], { dtype: 'int32' }))).toThrow(/Decoder: expected tokens of shape \[B, T\] with T ≥ 1, got \[2\]/);
  });
  it('padMask of the wrong dtype or shape', () => {
    const m = new Encoder({ vocabSize: 5, maxLen: 4, dim: 8 });
    const x = tensor([[1, 2, 3]], { dtype: 'int32' });
    expect(() => m.forward(x, { padMask: tensor([[0, 0, 1]]) })).toThrow(/Encoder: expected a bool padMask, got float32/);
    expect(() => m.forward(x, { padMask: tensor([[false, true]]) })).toThrow(/Encoder: expected padMask of shape \[1, 3\], got \[1, 2\]/);
    expect(() => new MultiHeadAttention(8, 2).forward(randn([1, 3, 8]), { padMask: tensor([[false]]) })).toThrow(
      /MultiHeadAttention: expected padMask of shape \[1, 3\], got \[1, 1\]/,
    );
  });
});

describe('sequence longer than maxLen', () => {
  const long = randn([1, 5, 8]);
  it('LearnedPositions', () => expect(() => new LearnedPositions(4, 8).forward(long)).toThrow(/LearnedPositions: sequence length 5 exceeds maxLen 4/));
  it('SinusoidalPositions', () => expect(() => new SinusoidalPositions(4, 8).forward(long)).toThrow(/SinusoidalPositions: sequence length 5 exceeds maxLen 4/));
  it('Rotary', () => expect(() => new Rotary(8, 4).forward(long)).toThrow(/Rotary: sequence length 5 exceeds maxLen 4/));
  it('Rotary with an offset', () => expect(() => new Rotary(8, 6).forward(long, 2)).toThrow(/Rotary: sequence length 7 exceeds maxLen 6/));
  const tokens = tensor([[1, 2, 3, 4, 0]], { dtype: 'int32' });
  for (const positional of ['learned', 'rotary', 'none'] as const) {
    it(`Decoder (${positional})`, () => expect(() => new Decoder({ vocabSize: 5, maxLen: 4, dim: 8, positional }).forward(tokens)).toThrow(/Decoder: sequence length 5 exceeds maxLen 4/));
    it(`Encoder (${positional})`, () => expect(() => new Encoder({ vocabSize: 5, maxLen: 4, dim: 8, positional }).forward(tokens)).toThrow(/Encoder: sequence length 5 exceeds maxLen 4/));
  }
});

describe('heads not dividing dim, and other bad configuration', () => {
  it('MultiHeadAttention', () => expect(() => new MultiHeadAttention(10, 4)).toThrow(/MultiHeadAttention: heads \(4\) must divide dim \(10\)/));
  it('Block', () => expect(() => new Block(10, { heads: 3 })).toThrow(/heads \(3\) must divide dim \(10\)/));
  it('Decoder', () => expect(() => new Decoder({ vocabSize: 5, maxLen: 4, dim: 10, heads: 4 })).toThrow(/Decoder: heads \(4\) must divide dim \(10\)/));
  it('Encoder', () => expect(() => new Encoder({ vocabSize: 5, maxLen: 4, dim: 12, heads: 5 })).toThrow(/Encoder: heads \(5\) must divide dim \(12\)/));
  it('rotary needs an even head dim', () => {
    expect(() => new Rotary(5, 4)).toThrow(/Rotary: expected an even head dim, got 5/);
    expect(() => new Decoder({ vocabSize: 5, maxLen: 4, dim: 12, heads: 4, positional: 'rotary' })).toThrow(/even head dim, got dim\/heads = 12\/4 = 3/);
    expect(() => new MultiHeadAttention(8, 2, { rotary: new Rotary(8, 4) })).toThrow(/rotary headDim must be dim\/heads = 4, got 8/);
  });
  it('unknown option values and non-integer sizes name the field', () => {
    const c = { vocabSize: 5, maxLen: 4, dim: 8 };
    expect(() => new Decoder({ ...c, positional: 'alibi' as never })).toThrow(/Decoder: expected positional to be one of 'learned', 'sinusoidal', 'rotary', 'none', got "alibi"/);
    expect(() => new Decoder({ ...c, norm: 'batch' as never })).toThrow(/expected norm to be one of 'layer', 'rms', got "batch"/);
    expect(() => new Decoder({ ...c, activation: 'tanh' as never })).toThrow(/expected activation to be one of 'gelu', 'relu', 'silu', got "tanh"/);
    expect(() => new Decoder({ ...c, depth: 1.5 })).toThrow(/Decoder: expected depth to be a positive integer, got 1.5/);
    expect(() => new Decoder({ ...c, dtype: 'int32' as never })).toThrow(/Decoder: expected dtype 'float32' or 'float64', got "int32"/);
    expect(() => new Decoder({ ...c, initScale: 0 })).toThrow(/Decoder: expected initScale > 0, got 0/);
    expect(() => new Decoder({ ...c, dropout: 1 })).toThrow(/Decoder: expected 0 ≤ dropout < 1, got 1/);
  });
});
