/**
 * Reference matmul: out[b] = op(A[b]) · op(B[b]) with A[b] of shape [M, K] (or [K, M] when `ta`)
 * and B[b] of shape [K, N] (or [N, K] when `tb`). Accumulates in double precision per row.
 */
export function matmulRef(
  out: Float32Array | Float64Array,
  A: Float32Array | Float64Array,
  B: Float32Array | Float64Array,
  batch: number,
  M: number,
  K: number,
  N: number,
  ta: boolean,
  tb: boolean,
): void {
  const row = new Float64Array(N);
  let Bt: Float32Array | Float64Array | null = null;
  if (ta && tb) Bt = new (B.constructor as Float64ArrayConstructor)(K * N);
  for (let b = 0; b < batch; b++) {
    const a0 = b * M * K;
    let b0 = b * K * N;
    const o0 = b * M * N;
    let Bm = B;
    if (Bt) {
      // transpose B[b] ([N, K]) into Bt ([K, N]) so the inner loop runs along contiguous rows
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) Bt[k * N + n] = B[b0 + n * K + k]!;
      Bm = Bt;
      b0 = 0;
    }
    if (tb && !ta) {
      // dot-product form: rows of A against rows of B
      for (let i = 0; i < M; i++) {
        const ai = a0 + i * K;
        for (let j = 0; j < N; j++) {
          const bj = b0 + j * K;
          let s = 0;
          for (let k = 0; k < K; k++) s += A[ai + k]! * Bm[bj + k]!;
          out[o0 + i * N + j] = s;
        }
      }
      continue;
    }
    const sAi = ta ? 1 : K;
    const sAk = ta ? M : 1;
    for (let i = 0; i < M; i++) {
      row.fill(0);
      for (let k = 0; k < K; k++) {
        const a = A[a0 + i * sAi + k * sAk]!;
        const bk = b0 + k * N;
        for (let j = 0; j < N; j++) row[j] += a * Bm[bk + j]!;
      }
      out.set(row, o0 + i * N);
    }
  }
}
