#!/usr/bin/env bash
# WebGPU checks for a Linux x86-64 GPU machine (NVIDIA H100/H200, PyTorch present, no Node):
# the conformance suite, bench/webgpu-matmul.ts, and a PyTorch fp32 matmul baseline.
#
#   bench/device-check.sh prepare   # HERE (a machine with node_modules): fills .node/ and .gl/
#   bench/device-check.sh run       # THERE, from the repo root, with .node and .gl carried along
#
# prepare writes (both folders are meant to be git-ignored, e.g. via .git/info/exclude):
#   .node/node.xz                           this machine's Node 20 linux-x64 binary, xz-compressed
#                                           (~100 MB raw; compressed it fits a 64 MiB transfer limit)
#   .node/conformance.mjs, .node/bench.mjs  esbuild bundles of the conformance runner and the benchmark
#   .node/node_modules/webgpu/              only index.js, package.json and dist/linux-x64/dawn.node
#   .gl/*.deb                               the Vulkan loader (libvulkan1), unpacked there when missing
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
  for pair in "conformance:packages/webgpu/test/device/conformance-runner.ts" "bench:bench/webgpu-matmul.ts"; do
    npx esbuild "${pair#*:}" --bundle --platform=node --format=esm --target=node20 \
      --external:webgpu --outfile=".node/${pair%%:*}.mjs" --log-level=warning
  done
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial
  apt-get $o update -qq && (cd .gl && apt-get $o download libvulkan1)
  du -sh .node .gl
  exit 0
fi

[ "$mode" = run ] || { echo "usage: $0 prepare|run" >&2; exit 2; }
out="${OUT:-/tmp/device-check}"
mkdir -p "$out"
status=0

# Vulkan loader and NVIDIA's ICD for dawn.node
if ! ldconfig -p | grep -q 'libvulkan.so.1'; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; fi

# the carried node binary
if [ ! -x .node/node ]; then xz -dc .node/node.xz > .node/node && chmod +x .node/node; fi
NODE="$PWD/.node/node"
"$NODE" --version | tee "$out/env.txt"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee -a "$out/env.txt" || true

echo '== conformance (webgpu vs cpu-reference)'
(cd .node && "$NODE" conformance.mjs) 2>&1 | tee "$out/conformance.jsonl" || status=1

echo '== webgpu matmul'
(cd .node && "$NODE" bench.mjs --check) 2>&1 | tee "$out/webgpu-matmul.jsonl" || status=1

echo '== pytorch fp32 matmul baseline'
python3 - <<'PY' 2>&1 | tee "$out/torch-matmul.jsonl" || status=1
import json, torch
torch.backends.cuda.matmul.allow_tf32 = False  # plain fp32, like the WGSL kernel
dev = 'cuda'
for M, K, N in [(512, 512, 512), (2048, 128, 512)]:
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
exit $status
