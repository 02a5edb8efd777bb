/**
 * A tiny WebAssembly binary assembler: enough of the module format (types, one imported memory,
 * functions, exports, code) and of the instruction set (integer control flow, scalar f32 and the
 * SIMD v128 subset a GEMM needs) to emit kernels from TypeScript.
 */

export type ValType = 'i32' | 'f32' | 'f64' | 'v128';
const VAL: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Unsigned LEB128. */
function uleb(out: number[], v: number): void {
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

/** Signed LEB128 for 32-bit values. */
function sleb(out: number[], v: number): void {
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

function utf8(out: number[], s: string): void {
  const bytes = new TextEncoder().encode(s);
  uleb(out, bytes.length);
  for (const b of bytes) out.push(b);
}

/** Instruction stream of one function body. Locals are addressed by index. */
export class Code {
  readonly bytes: number[] = [];
  private readonly localTypes: ValType[] = [];
  private depth = 0;

  constructor(readonly params: readonly ValType[], readonly results: readonly ValType[]) {}

  /** Declare a new local of type `t`; returns its index. */
  local(t: ValType): number {
    this.localTypes.push(t);
    return this.params.length + this.localTypes.length - 1;
  }

  private op(...b: number[]): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }
  private simd(code: number): this {
    this.bytes.push(0xfd);
    uleb(this.bytes, code);
    return this;
  }
  private mem(align: number, offset: number): this {
    if (offset < 0) throw new Error(`memarg offset must be >= 0, got ${offset}`);
    uleb(this.bytes, align);
    uleb(this.bytes, offset);
    return this;
  }

  // locals and constants
  get(i: number): this { this.op(0x20); uleb(this.bytes, i); return this; }
  set(i: number): this { this.op(0x21); uleb(this.bytes, i); return this; }
  tee(i: number): this { this.op(0x22); uleb(this.bytes, i); return this; }
  i32(v: number): this { this.op(0x41); sleb(this.bytes, v); return this; }
  drop(): this { return this.op(0x1a); }
  select(): this { return this.op(0x1b); }

  // control flow; blocks have no result
  block(): this { this.depth++; return this.op(0x02, 0x40); }
  loop(): this { this.depth++; return this.op(0x03, 0x40); }
  if_(): this { this.depth++; return this.op(0x04, 0x40); }
  else_(): this { return this.op(0x05); }
  end(): this { this.depth--; return this.op(0x0b); }
  br(l: number): this { this.op(0x0c); uleb(this.bytes, l); return this; }
  brIf(l: number): this { this.op(0x0d); uleb(this.bytes, l); return this; }
  ret(): this { return this.op(0x0f); }
  call(f: number): this { this.op(0x10); uleb(this.bytes, f); return this; }

  // i32 arithmetic and comparisons
  add(): this { return this.op(0x6a); }
  sub(): this { return this.op(0x6b); }
  mul(): this { return this.op(0x6c); }
  and(): this { return this.op(0x71); }
  or(): this { return this.op(0x72); }
  shl(): this { return this.op(0x74); }
  shrU(): this { return this.op(0x76); }
  eqz(): this { return this.op(0x45); }
  eq(): this { return this.op(0x46); }
  ne(): this { return this.op(0x47); }
  ltS(): this { return this.op(0x48); }
  gtS(): this { return this.op(0x4a); }
  leS(): this { return this.op(0x4c); }
  geS(): this { return this.op(0x4e); }
  geU(): this { return this.op(0x4f); }

  // scalar memory
  i32Load(offset = 0): this { return this.op(0x28).mem(2, offset); }
  i32Store(offset = 0): this { return this.op(0x36).mem(2, offset); }
  f32Load(offset = 0): this { return this.op(0x2a).mem(2, offset); }
  f32Store(offset = 0): this { return this.op(0x38).mem(2, offset); }
  f64Load(offset = 0): this { return this.op(0x2b).mem(3, offset); }
  f64Store(offset = 0): this { return this.op(0x39).mem(3, offset); }
  f32Const(v: number): this {
    this.op(0x43);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    for (const x of b) this.bytes.push(x);
    return this;
  }
  f32Add(): this { return this.op(0x92); }
  f32Sub(): this { return this.op(0x93); }
  f32Mul(): this { return this.op(0x94); }
  f32Div(): this { return this.op(0x95); }
  f32Sqrt(): this { return this.op(0x91); }
  f32Neg(): this { return this.op(0x8c); }
  f32Eq(): this { return this.op(0x5b); }
  f32Gt(): this { return this.op(0x5e); }
  f32ConvertI32S(): this { return this.op(0xb2); }
  f32DemoteF64(): this { return this.op(0xb6); }
  f64PromoteF32(): this { return this.op(0xbb); }
  f64Add(): this { return this.op(0xa0); }
  f64Sub(): this { return this.op(0xa1); }
  f64Div(): this { return this.op(0xa3); }
  f64Const(v: number): this {
    this.op(0x44);
    const b = new Uint8Array(new Float64Array([v]).buffer);
    for (const x of b) this.bytes.push(x);
    return this;
  }

  // SIMD
  v128Load(offset = 0): this { return this.simd(0x00).mem(4, offset); }
  v128Load32Splat(offset = 0): this { return this.simd(0x09).mem(2, offset); }
  v128Store(offset = 0): this { return this.simd(0x0b).mem(4, offset); }
  /** v128.load64_zero: 8 bytes into the low half, the high half zero. */
  v128Load64Zero(offset = 0): this { return this.simd(0x5d).mem(3, offset); }
  /** v128.bitselect(a, b, mask): a's bits where mask is 1, b's elsewhere. */
  v128Bitselect(): this { return this.simd(0x52); }
  v128Zero(): this {
    this.simd(0x0c);
    for (let i = 0; i < 16; i++) this.bytes.push(0);
    return this;
  }
  /** i8x16.shuffle expressed in f32 lanes: lanes 0..3 pick from the first operand, 4..7 from the second. */
  shuffle32(l0: number, l1: number, l2: number, l3: number): this {
    this.simd(0x0d);
    for (const l of [l0, l1, l2, l3]) for (let b = 0; b < 4; b++) this.bytes.push(l * 4 + b);
    return this;
  }
  f32x4Splat(): this { return this.simd(0x13); }
  /** i8x16.shuffle expressed in f64 lanes: lanes 0, 1 pick from the first operand, 2, 3 from the second. */
  shuffle64(l0: number, l1: number): this {
    this.simd(0x0d);
    for (const l of [l0, l1]) for (let b = 0; b < 8; b++) this.bytes.push(l * 8 + b);
    return this;
  }
  i32x4ExtractLane(lane: number): this { this.simd(0x1b); this.bytes.push(lane); return this; }
  i32x4Splat(): this { return this.simd(0x11); }
  i32x4Eq(): this { return this.simd(0x37); }
  i32x4AllTrue(): this { return this.simd(0xa3); }
  i32x4Add(): this { return this.simd(0xae); }
  i32x4Shl(): this { return this.simd(0xab); }
  f64x2Splat(): this { return this.simd(0x14); }
  f64x2PromoteLowF32x4(): this { return this.simd(0x5f); }
  f32x4DemoteF64x2Zero(): this { return this.simd(0x5e); }
  f64x2Add(): this { return this.simd(0xf0); }
  f64x2Sub(): this { return this.simd(0xf1); }
  f64x2Mul(): this { return this.simd(0xf2); }
  /** f64x2.pmin(a, b) = b < a ? b : a, lane-wise (one instruction on x86, unlike min's NaN and ±0 rules). */
  f64x2Pmin(): this { return this.simd(0xf6); }
  /** f64x2.pmax(a, b) = a < b ? b : a, lane-wise. */
  f64x2Pmax(): this { return this.simd(0xf7); }
  f64x2Floor(): this { return this.simd(0x75); }
  f64x2Trunc(): this { return this.simd(0x7a); }
  f64x2Abs(): this { return this.simd(0xec); }
  f64x2Div(): this { return this.simd(0xf3); }
  f64x2Eq(): this { return this.simd(0x47); }
  f64x2Ne(): this { return this.simd(0x48); }
  f64x2Lt(): this { return this.simd(0x49); }
  f64x2Gt(): this { return this.simd(0x4a); }
  f64x2ExtractLane(lane: number): this { this.simd(0x21); this.bytes.push(lane); return this; }
  i64x2Shl(): this { return this.simd(0xcb); }
  f32x4ExtractLane(lane: number): this { this.simd(0x1f); this.bytes.push(lane); return this; }
  f32x4Add(): this { return this.simd(0xe4); }
  f32x4Sub(): this { return this.simd(0xe5); }
  f32x4Mul(): this { return this.simd(0xe6); }
  /** Relaxed SIMD: a·b + c, fused (one rounding) where the CPU has FMA, else a multiply and an add. */
  f32x4RelaxedMadd(): this { return this.simd(0x105); }
  f32x4Div(): this { return this.simd(0xe7); }
  f32x4Sqrt(): this { return this.simd(0xe3); }
  f32x4Neg(): this { return this.simd(0xe1); }

  /** The encoded body: local declarations followed by the instructions and the final `end`. */
  encode(): number[] {
    if (this.depth !== 0) throw new Error(`unbalanced blocks in function body (depth ${this.depth})`);
    const body: number[] = [];
    const groups: [number, ValType][] = [];
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(body, groups.length);
    for (const [n, t] of groups) {
      uleb(body, n);
      body.push(VAL[t]);
    }
    for (const b of this.bytes) body.push(b);
    body.push(0x0b);
    const out: number[] = [];
    uleb(out, body.length);
    for (const b of body) out.push(b);
    return out;
  }
}

interface FuncDef { code: Code; exportName: string | null }

/** A module that imports one memory (`env.memory`) and defines functions. */
export class ModuleBuilder {
  private readonly funcs: FuncDef[] = [];

  constructor(private readonly memory: { initial: number; maximum: number; shared: boolean }) {}

  /** Reserve a function index; fill its body through the returned Code. */
  func(params: ValType[], results: ValType[], exportName: string | null = null): { index: number; code: Code } {
    const code = new Code(params, results);
    this.funcs.push({ code, exportName });
    return { index: this.funcs.length - 1, code };
  }

  encode(): Uint8Array {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, content: number[]): void => {
      out.push(id);
      uleb(out, content.length);
      for (const b of content) out.push(b);
    };
    // type section: one type per function (duplicates are legal and keep this simple)
    const types: number[] = [];
    uleb(types, this.funcs.length);
    for (const { code } of this.funcs) {
      types.push(0x60);
      uleb(types, code.params.length);
      for (const p of code.params) types.push(VAL[p]);
      uleb(types, code.results.length);
      for (const r of code.results) types.push(VAL[r]);
    }
    section(1, types);
    // import section: env.memory
    const imports: number[] = [];
    uleb(imports, 1);
    utf8(imports, 'env');
    utf8(imports, 'memory');
    imports.push(0x02, this.memory.shared ? 0x03 : 0x01);
    uleb(imports, this.memory.initial);
    uleb(imports, this.memory.maximum);
    section(2, imports);
    // function section
    const fsec: number[] = [];
    uleb(fsec, this.funcs.length);
    this.funcs.forEach((_, i) => uleb(fsec, i));
    section(3, fsec);
    // export section
    const exps = this.funcs.map((f, i) => [f, i] as const).filter(([f]) => f.exportName !== null);
    const esec: number[] = [];
    uleb(esec, exps.length);
    for (const [f, i] of exps) {
      utf8(esec, f.exportName!);
      esec.push(0x00);
      uleb(esec, i);
    }
    section(7, esec);
    // code section
    const csec: number[] = [];
    uleb(csec, this.funcs.length);
    for (const { code } of this.funcs) for (const b of code.encode()) csec.push(b);
    section(10, csec);
    return new Uint8Array(out);
  }
}

// loops, as kernels write them

/** Emit `for (; j + step <= n; j += step) body();` from wherever j is. */
export function stepping(c: Code, j: number, n: number, step: number, body: () => void): void {
  c.block().loop();
  if (step === 1) c.get(j).get(n).geS().brIf(1);
  else c.get(j).i32(step).add().get(n).gtS().brIf(1);
  body();
  c.get(j).i32(step).add().set(j);
  c.br(0);
  c.end().end();
}

/**
 * Emit `for (; j + 4 <= n; j += 4) simd(); for (; j < n; j++) scalar();` from wherever j is; a
 * null body leaves its loop out (so a tail can follow a sum of the four lanes).
 */
export function each4(c: Code, j: number, n: number, simd: (() => void) | null, scalar: (() => void) | null): void {
  if (simd) stepping(c, j, n, 4, simd);
  if (scalar) stepping(c, j, n, 1, scalar);
}

/** Emit `for (i = 0; i < n; i++) body();`. */
export function times(c: Code, i: number, n: number, body: () => void): void {
  c.i32(0).set(i);
  stepping(c, i, n, 1, body);
}

/**
 * Emit Y[i] = f32(f(f64(X[i]))) for i in [0, n), float32 arrays at byte addresses X and Y (locals, as
 * are i and n): `f` turns the f64x2 on top of the stack into another. Four values per iteration (two
 * pairs), then one at a time (in both lanes, lane 0 kept).
 */
export function mapF64Pairs(c: Code, X: number, Y: number, i: number, n: number, f: () => void): void {
  const xa = c.local('v128');
  const lo = c.local('v128');
  const at = (base: number): void => void c.get(base).get(i).i32(2).shl().add();
  c.i32(0).set(i);
  each4(
    c, i, n,
    () => {
      at(X);
      c.v128Load().tee(xa).f64x2PromoteLowF32x4();
      f();
      c.f32x4DemoteF64x2Zero().set(lo);
      at(Y);
      c.get(lo);
      c.get(xa).get(xa).shuffle32(2, 3, 2, 3).f64x2PromoteLowF32x4();
      f();
      c.f32x4DemoteF64x2Zero().shuffle32(0, 1, 4, 5).v128Store();
    },
    () => {
      at(Y);
      at(X);
      c.f32Load().f64PromoteF32().f64x2Splat();
      f();
      c.f32x4DemoteF64x2Zero().f32x4ExtractLane(0).f32Store();
    },
  );
}
