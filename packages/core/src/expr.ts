/**
 * A small expression language over the elementwise primitives, and its compiler.
 *
 * An `Expr` is a tree of elementwise primitives over the inputs' values (`ex.input(k)`), numeric
 * parameters (`ex.param('eps')`) and literals. An elementwise primitive is the one-node expression
 * `add(input 0, input 1)`; an elementwise fused op (elementwise-fused.ts) is a bigger tree written
 * once, from which its composed oracle (in tensor ops) and every backend's kernel are derived.
 *
 * A backend compiles expressions to its own source code with a `Dialect`: one row per elementwise
 * primitive saying how that primitive is written there (`(a + b)` in JavaScript, `max_(a, b)` in
 * WGSL). The dialect is typed over the elementwise primitives, so a new one does not compile until
 * every backend's dialect writes it; nothing else in a backend is per-primitive.
 */
import type { DType } from './dtype.js';
import {
  ELEMENTWISE_PRIMITIVES, PRIMITIVE_KINDS,
  type BinaryPrimitive, type ComparePrimitive, type ElementwisePrimitive, type PrimitiveParams, type UnaryPrimitive,
} from './primitives.js';

/** The k-th input's value at the current position. */
export interface InputRef {
  readonly kind: 'input';
  readonly index: number;
}
/** A numeric parameter of the op (passed at run time, so one compiled kernel serves every value). */
export interface ParamRef {
  readonly kind: 'param';
  readonly name: string;
}
export interface Literal {
  readonly kind: 'literal';
  readonly value: number;
}
/** An elementwise primitive applied to sub-expressions. */
export type Apply = {
  [P in ElementwisePrimitive]: { readonly kind: 'apply'; readonly op: P; readonly args: readonly Expr[]; readonly params: PrimitiveParams[P] };
}[ElementwisePrimitive];
export type Expr = InputRef | ParamRef | Literal | Apply;
/** Where an expression is expected, a number stands for a literal. */
export type ExprLike = Expr | number;

const lift = (e: ExprLike): Expr => (typeof e === 'number' ? { kind: 'literal', value: e } : e);

/** `op` applied to `args`. */
export function applyOp<P extends ElementwisePrimitive>(op: P, args: readonly ExprLike[], params: PrimitiveParams[P]): Expr {
  return { kind: 'apply', op, args: args.map(lift), params } as Apply;
}

/** How many operands a primitive of each elementwise kind takes. */
export function arityOf(op: ElementwisePrimitive): number {
  const kind = PRIMITIVE_KINDS[op];
  return kind === 'unary' || kind === 'cast' ? 1 : kind === 'where' ? 3 : 2;
}

type Builders = { readonly [P in UnaryPrimitive]: (a: ExprLike) => Expr } & {
  readonly [P in BinaryPrimitive | ComparePrimitive]: (a: ExprLike, b: ExprLike) => Expr;
} & {
  where(cond: ExprLike, a: ExprLike, b: ExprLike): Expr;
  cast(a: ExprLike, dtype: DType): Expr;
  input(index: number): Expr;
  param(name: string): Expr;
};

function builders(): Builders {
  const b: Record<string, (...args: never[]) => Expr> = {
    input: (index: number) => ({ kind: 'input', index }),
    param: (name: string) => ({ kind: 'param', name }),
    cast: (a: ExprLike, dtype: DType) => applyOp('cast', [a], { dtype }),
  };
  for (const p of ELEMENTWISE_PRIMITIVES) b[p] ??= (...args: ExprLike[]) => applyOp(p, args, {} as PrimitiveParams[typeof p]);
  return b as unknown as Builders;
}

/** Expression builders: `ex.mul(ex.input(0), 0.5)`, one per elementwise primitive, plus `input` and `param`. */
export const ex: Builders = builders();

/** The indices of the inputs the expressions `es` read, ascending. */
export function inputsOf(es: readonly Expr[]): number[] {
  const read = new Set<number>();
  const seen = new Set<Expr>();
  const walk = (n: Expr): void => {
    if (seen.has(n)) return;
    seen.add(n);
    if (n.kind === 'input') read.add(n.index);
    else if (n.kind === 'apply') n.args.forEach(walk);
  };
  es.forEach(walk);
  return [...read].sort((a, b) => a - b);
}

/** The names of the parameters `e` reads, in order of first use. */
export function paramsOf(e: Expr): string[] {
  return paramsOfAll([e]);
}

/** The names of the parameters the expressions `es` read, in order of first use. */
export function paramsOfAll(es: readonly Expr[]): string[] {
  const names: string[] = [];
  const seen = new Set<Expr>();
  const walk = (n: Expr): void => {
    if (seen.has(n)) return;
    seen.add(n);
    if (n.kind === 'param' && !names.includes(n.name)) names.push(n.name);
    else if (n.kind === 'apply') n.args.forEach(walk);
  };
  es.forEach(walk);
  return names;
}

/** The dtypes a dialect row sees: its operands' and its result's. */
export interface OperandTypes {
  readonly args: readonly DType[];
  readonly out: DType;
}

export interface DialectContext {
  /**
   * `value` as something cheap to repeat: a name bound to it by a statement emitted before the
   * expression, or `value` itself when it is already a name or a number.
   */
  bind(value: string, dtype: DType): string;
}

/** How a backend writes one elementwise primitive, given its operands' code. */
export type DialectRow<P extends ElementwisePrimitive> = (args: readonly string[], types: OperandTypes, params: PrimitiveParams[P], ctx: DialectContext) => string;

/** A backend's way of writing expressions: one row per elementwise primitive, literals, bindings. */
export interface Dialect {
  readonly ops: { readonly [P in ElementwisePrimitive]: DialectRow<P> };
  literal(value: number, dtype: DType): string;
  /** The statement that binds `name` to `value`. */
  bind(name: string, value: string, dtype: DType): string;
}

/** An expression compiled to statements (bindings) and the code of its value, of `dtype`. */
export interface CompiledExpr {
  readonly statements: readonly string[];
  readonly value: string;
  readonly dtype: DType;
}

export interface CompileOptions {
  /** The code that reads each input's value, and each input's dtype. */
  inputs: readonly string[];
  dtypes: readonly DType[];
  /** The code that reads a parameter (default: its name). */
  param?: (name: string, index: number) => string;
  /** Prefix of the names bound to shared values (default 't'). */
  prefix?: string;
}

const SIMPLE = /^([A-Za-z_$][\w$]*|\d+(\.\d+)?(e-?\d+)?)$/;

/**
 * Compile `e` with `dialect`. Literals and parameters take the dtype of what they meet (as a
 * Python scalar does in PyTorch); a sub-expression used more than once is bound to a name once.
 */
export function compileExpr(e: Expr, dialect: Dialect, opts: CompileOptions): CompiledExpr {
  const c = compileExprs([e], dialect, opts);
  return { statements: c.statements, value: c.values[0]!, dtype: c.dtypes[0]! };
}

/** Several expressions compiled together, sharing their common sub-expressions' bindings. */
export interface CompiledExprs {
  readonly statements: readonly string[];
  readonly values: readonly string[];
  readonly dtypes: readonly DType[];
}

/**
 * Compile the expressions `es` together (one kernel with several outputs): as `compileExpr`, and a
 * sub-expression they share is computed once. Parameters are numbered in `paramsOf` order over all of them.
 */
export function compileExprs(es: readonly Expr[], dialect: Dialect, opts: CompileOptions): CompiledExprs {
  const params = paramsOfAll(es);
  const uses = new Map<Expr, number>();
  const count = (n: Expr): void => {
    const k = uses.get(n) ?? 0;
    uses.set(n, k + 1);
    if (k === 0 && n.kind === 'apply') n.args.forEach(count);
  };
  es.forEach(count);

  const types = new Map<Expr, DType | null>();
  /** The dtype of n, or null for a tree of literals and parameters only (a weak scalar). */
  const typeOf = (n: Expr): DType | null => {
    if (types.has(n)) return types.get(n)!;
    let t: DType | null = null;
    if (n.kind === 'input') {
      t = opts.dtypes[n.index] ?? null;
      if (t === null) throw new Error(`compileExpr: the expression reads input ${n.index}, but only ${opts.dtypes.length} were given`);
    } else if (n.kind === 'apply') {
      const kind = PRIMITIVE_KINDS[n.op];
      if (kind === 'compare') t = 'bool';
      else if (kind === 'cast') t = (n.params as PrimitiveParams['cast']).dtype;
      else {
        for (const a of kind === 'where' ? n.args.slice(1) : n.args) {
          const at = typeOf(a);
          if (at !== null && t !== null && at !== t) throw new Error(`compileExpr: '${n.op}' mixes ${t} and ${at} operands`);
          t ??= at;
        }
      }
    }
    types.set(n, t);
    return t;
  };

  const statements: string[] = [];
  const prefix = opts.prefix ?? 't';
  let names = 0;
  const ctx: DialectContext = {
    bind: (value, dtype) => {
      if (SIMPLE.test(value)) return value;
      const name = `${prefix}${names++}`;
      statements.push(dialect.bind(name, value, dtype));
      return name;
    },
  };
  const done = new Map<Expr, string>();
  /** Emit n; `want` is the dtype a weak n takes. */
  const emit = (n: Expr, want: DType): string => {
    const seen = done.get(n);
    if (seen !== undefined) return seen;
    const t = typeOf(n) ?? want;
    let code: string;
    if (n.kind === 'input') code = opts.inputs[n.index]!;
    else if (n.kind === 'param') code = opts.param ? opts.param(n.name, params.indexOf(n.name)) : n.name;
    else if (n.kind === 'literal') code = dialect.literal(n.value, t);
    else {
      const kind = PRIMITIVE_KINDS[n.op];
      // the dtype each operand is computed in
      const operand = kind === 'compare' ? (n.args.map(typeOf).find((x) => x !== null) ?? 'float32') : t;
      const argTypes = n.args.map((a, i) => (kind === 'where' && i === 0 ? 'bool' : kind === 'cast' ? (typeOf(a) ?? 'float32') : (typeOf(a) ?? operand)));
      const args = n.args.map((a, i) => emit(a, argTypes[i]!));
      const row = dialect.ops[n.op] as DialectRow<typeof n.op>;
      code = row(args, { args: argTypes, out: t }, n.params as never, ctx);
      if ((uses.get(n) ?? 0) > 1) code = ctx.bind(code, t);
    }
    done.set(n, code);
    return code;
  };
  const dtypes = es.map((e) => typeOf(e) ?? 'float32');
  const values = es.map((e, i) => emit(e, dtypes[i]!));
  return { statements, values, dtypes };
}
