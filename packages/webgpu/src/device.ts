/**
 * Getting a GPUDevice: the browser's `navigator.gpu`, or in Node the optional `webgpu` package
 * (dawn.node), imported lazily so browsers and bundles never load it.
 */

/** The parts of the `webgpu` npm package this backend uses. */
interface DawnModule {
  create(flags: string[]): GPU;
}

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /**
   * A fallback or software (CPU-emulated) adapter: one that says `isFallbackAdapter`, or whose info
   * names SwiftShader, llvmpipe, lavapipe or Microsoft's Basic Render Driver. Correct, but far
   * slower at training than the cpu backend.
   */
  software: boolean;
}

export interface AcquiredDevice {
  device: GPUDevice;
  adapter: AdapterDescription;
  /** The GPU object the device came from; held so dawn.node keeps it alive as long as the device. */
  gpu: GPU | null;
}

export interface DeviceOptions {
  powerPreference?: GPUPowerPreference;
  /** Flags for dawn.node's `create()` in Node (e.g. `['backend=vulkan']`). */
  dawnFlags?: string[];
}

export const NO_ADAPTER_HELP =
  'In Node, install the optional peer dependency (`npm install webgpu@0.6`); without a GPU, install ' +
  "SwiftShader's Vulkan driver and loader (`apt-get install -y chromium-common libvulkan1`) and set " +
  'VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json. In a browser, use one with WebGPU ' +
  '(Chromium: --enable-unsafe-webgpu where it is not on by default).';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

// dawn.node frees its instance when the GPU object is garbage collected, even while devices made
// from it still run (a use-after-free crash): create it once per flag set and hold it for good.
const nodeGpus = new Map<string, Promise<GPU>>();

function nodeGpu(flags: string[]): Promise<GPU> {
  const key = flags.join(' ');
  let g = nodeGpus.get(key);
  if (!g) {
    g = loadNodeGpu(flags);
    nodeGpus.set(key, g);
    g.catch(() => nodeGpus.delete(key));
  }
  return g;
}

async function loadNodeGpu(flags: string[]): Promise<GPU> {
  // a variable specifier keeps bundlers from trying to resolve the native package for browsers
  const spec = 'webgpu';
  let mod: DawnModule;
  try {
    mod = (await import(/* @vite-ignore */ spec)) as DawnModule;
  } catch (e) {
    throw new Error(`WebGPU: there is no navigator.gpu and the 'webgpu' package could not be loaded (${(e as Error).message}). ${NO_ADAPTER_HELP}`);
  }
  return mod.create(flags);
}

/** Find the GPU entry point: `navigator.gpu` where present, else dawn.node in Node. */
export async function findGpu(opts: DeviceOptions = {}): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (!isNode) throw new Error(`WebGPU: navigator.gpu is missing in this environment. ${NO_ADAPTER_HELP}`);
  return nodeGpu(opts.dawnFlags ?? []);
}

const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|lavapipe|basic render driver/i;

/** What an adapter says about itself (`info`; older browsers put `isFallbackAdapter` on the adapter). */
export function describeAdapter(adapter: Pick<GPUAdapter, 'info'> & { isFallbackAdapter?: boolean }): AdapterDescription {
  const info: Partial<GPUAdapterInfo> | undefined = adapter.info;
  const d = { vendor: info?.vendor ?? '', architecture: info?.architecture ?? '', device: info?.device ?? '', description: info?.description ?? '' };
  const fallback = info?.isFallbackAdapter === true || adapter.isFallbackAdapter === true;
  return { ...d, software: fallback || SOFTWARE_RENDERERS.test(Object.values(d).join(' ')) };
}

/** Request an adapter and a device with the adapter's largest buffer limits. Throws a clear error when none is found. */
export async function acquireDevice(opts: DeviceOptions = {}): Promise<AcquiredDevice> {
  const gpu = await findGpu(opts);
  const adapter = await gpu.requestAdapter(opts.powerPreference ? { powerPreference: opts.powerPreference } : undefined);
  if (!adapter) throw new Error(`WebGPU: no adapter was found. ${NO_ADAPTER_HELP}`);
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      // fused elementwise kernels bind one buffer per input and output (fusion.ts)
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  });
  return { device, adapter: describeAdapter(adapter), gpu };
}

/** Whether a WebGPU adapter can be had here, and why not (for skipping tests with a clear message). */
export async function probeWebGPU(opts: DeviceOptions = {}): Promise<{ ok: true; adapter: AdapterDescription } | { ok: false; reason: string }> {
  try {
    const gpu = await findGpu(opts);
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { ok: false, reason: `no WebGPU adapter. ${NO_ADAPTER_HELP}` };
    return { ok: true, adapter: describeAdapter(adapter) };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}
