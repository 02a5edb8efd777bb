#!/usr/bin/env bash
# WebGPU checks for a Linux x86-64 GPU machine (NVIDIA H100/H200, PyTorch present, no Node):
# the conformance suite; bench/grokfast-step.ts on webgpu (with elementwise fusion, then without),
# on cpu, and PyTorch's Grokfast step on CUDA and CPU on the same machine; what one dispatch costs
# (bench/webgpu-dispatch.ts); bench/webgpu-matmul.ts checked against cpu (each tile size too with
# TILES=1) and PyTorch's fp32 matmul. Ends with one JSON line: the step medians, webgpu ÷ PyTorch
# CUDA, and the dispatches and submissions per webgpu step. About 3 minutes on an H100.
#
#   bench/device-check.sh prepare   # HERE (a machine with node_modules): fills .node/ and .gl/
#   bench/device-check.sh run       # THERE, from the repo root, with .node and .gl carried along
#
# prepare writes (both folders are git-ignored by .gitignore; a `run` call must carry them):
#   .node/node.xz                           this machine's Node 20 linux-x64 binary, xz-compressed
#                                           (~100 MB raw; compressed it fits a 64 MiB transfer limit)
#   .node/{conformance,bench,step,dispatch}.mjs  esbuild bundles of the conformance runner and the benchmarks
#   .node/node_modules/webgpu/              only index.js, package.json and dist/linux-x64/dawn.node
#   .gl/*.deb                               the Vulkan loader and the glvnd libraries, unpacked there
# run writes its logs to $OUT (or /tmp/device-check) and exits non-zero if a step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

if [ "$mode" = prepare ]; then
  set -e
  rm -rf .node && mkdir -p .node/node_modules/webgpu/dist/linux-x64 .gl
  xz -T0 -6 -c "$(command -v node)" > .node/node.xz
  wg=node_modules/webgpu
  cp "$wg/index.js" "$wg/package.json" .node/node_modules/webgpu/
  cp "$wg/dist/linux-x64/dawn.node" .node/node_modules/webgpu/dist/linux-x64/
  npx turbo run build --filter=@grokkit/webgpu --output-logs=errors-only
  for pair in "conformance:packages/webgpu/test/device/conformance-runner.ts" "bench:bench/webgpu-matmul.ts" "step:bench/grokfast-step.ts" "dispatch:bench/webgpu-dispatch.ts"; do
    npx esbuild "${pair#*:}" --bundle --platform=node --format=esm --target=node20 \
      --external:webgpu --outfile=".node/${pair%%:*}.mjs" --log-level=warning
  done
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial
  apt-get $o update -qq && (cd .gl && apt-get $o download libvulkan1 libglvnd0 libgl1 libglx0 libegl1 libgles2 libopengl0)
  du -sh .node .gl
  exit 0
fi

[ "$mode" = run ] || { echo "usage: $0 prepare|run" >&2; exit 2; }
out="${OUT:-/tmp/device-check}"
mkdir -p "$out"
status=0

# Vulkan loader, and the GL dispatch libraries NVIDIA's Vulkan driver (libGLX_nvidia) needs
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; fi

# the carried node binary
if [ ! -x .node/node ]; then
  if command -v xz >/dev/null; then xz -dc .node/node.xz > .node/node
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' .node/node.xz .node/node
  fi
  chmod +x .node/node
fi
NODE="$PWD/.node/node"
"$NODE" --version | tee "$out/env.txt"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee -a "$out/env.txt" || true

t() { timeout "${LIMIT:-150}" "$@"; }  # no step may hang the run

echo '== conformance (webgpu vs cpu-reference)'
(cd .node && t "$NODE" conformance.mjs) 2>&1 | tee "$out/conformance.jsonl" || status=1

# SHAPES and STEPS shrink the run for a rehearsal on SwiftShader: SHAPES=64x64x64 STEPS=2 bench/device-check.sh run
shapes="${SHAPES:-512x512x512,2048x128x512,2048x512x128,1024x1024x1024,2048x2048x2048,4096x4096x4096}"
steps="${STEPS:-30}"
echo '== grokfast step: webgpu (fused elementwise kernels), webgpu unfused, cpu'
(cd .node && t "$NODE" step.mjs --backend webgpu --steps "$steps") 2>&1 | tee "$out/grokfast-step.jsonl" || status=1
(cd .node && t "$NODE" step.mjs --backend webgpu --unfused --steps "$steps") 2>&1 | tee -a "$out/grokfast-step.jsonl" || status=1
(cd .node && t "$NODE" step.mjs --backend cpu --steps "$steps") 2>&1 | tee -a "$out/grokfast-step.jsonl" || status=1

echo '== pytorch: grokfast step on cuda and cpu'
for d in cuda cpu; do  # cpu on 2 threads, like the wasm kernels
  t python3 bench/pytorch-grokfast-step.py --device $d --threads 2 --steps "$steps" 2>&1 | tee -a "$out/grokfast-step.jsonl" || status=1
done

echo '== what one dispatch costs on the host (recording, submission) and in all'
(cd .node && t "$NODE" dispatch.mjs) 2>&1 | tee "$out/webgpu-dispatch.jsonl" || status=1

echo '== webgpu matmul (auto tile, checked against cpu)'
(cd .node && t "$NODE" bench.mjs --check --shapes="$shapes") 2>&1 | tee "$out/webgpu-matmul.jsonl" || status=1
if [ -n "${TILES:-}" ]; then
  for tile in 32 64 128; do
    (cd .node && t "$NODE" bench.mjs --tile=$tile --shapes="$shapes") 2>&1 | tee -a "$out/webgpu-matmul.jsonl" || status=1
  done
fi

echo '== pytorch fp32 matmul baseline'
SHAPES=$shapes python3 - <<'PY' 2>&1 | tee "$out/torch-matmul.jsonl" || status=1
import json, os, torch
torch.backends.cuda.matmul.allow_tf32 = False  # plain fp32, like the WGSL kernel
dev = 'cuda'
for M, K, N in [tuple(map(int, s.split('x'))) for s in os.environ['SHAPES'].split(',')]:
    a = torch.randn(M, K, device=dev)
    b = torch.randn(K, N, device=dev)
    for _ in range(3):
        a @ b
    torch.cuda.synchronize()
    times = []
    for _ in range(7):
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        for _ in range(50):
            a @ b
        e.record()
        torch.cuda.synchronize()
        times.append(s.elapsed_time(e) / 50)
    ms = sorted(times)[len(times) // 2]
    print(json.dumps({'shape': f'{M}x{K}x{N}', 'backend': 'torch-cuda-fp32', 'adapter': torch.cuda.get_device_name(),
                      'gflops': round(2 * M * K * N / (ms * 1e6), 3), 'ms': round(ms, 4)}))
PY
echo '== summary'
python3 - "$out/grokfast-step.jsonl" <<'PY' 2>&1 | tee "$out/summary.json" || status=1
import json, sys
rows = {}
for line in open(sys.argv[1]):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    if r.get('bench') == 'grokfast-step':
        rows['pytorch-cuda' if r['backend'].endswith('-cuda') else 'pytorch-cpu' if r['backend'].startswith('pytorch') else r['backend']] = r
ms = lambda k: rows.get(k, {}).get('step_ms')
w, u, c = ms('webgpu'), ms('webgpu-unfused'), ms('pytorch-cuda')
print(json.dumps({
    'webgpu_step_ms': w, 'webgpu_unfused_step_ms': u, 'pytorch_cuda_step_ms': c, 'cpu_step_ms': ms('cpu'), 'pytorch_cpu_step_ms': ms('pytorch-cpu'),
    'webgpu_over_pytorch_cuda': round(w / c, 2) if w and c else None,
    'dispatches_per_step': rows.get('webgpu', {}).get('dispatches_per_step'), 'submits_per_step': rows.get('webgpu', {}).get('submits_per_step'),
    'bind_groups_per_step': rows.get('webgpu', {}).get('bindGroups_per_step'),
    'unfused_dispatches_per_step': rows.get('webgpu-unfused', {}).get('dispatches_per_step'),
    'loss_fused_vs_unfused': [rows.get('webgpu', {}).get('loss'), rows.get('webgpu-unfused', {}).get('loss')],
    'adapter': rows.get('webgpu', {}).get('adapter'),
}))
PY
exit $status
