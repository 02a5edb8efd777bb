/**
 * gpu.js modes: loading gpu.js, checking that a mode can run here, and (for webgpu in Node)
 * installing dawn.node's `navigator.gpu` so gpu.js finds an adapter.
 *
 * Nothing here imports a Node built-in statically, so bundlers that target browsers (esbuild with
 * platform 'browser') take gpu.js's browser build through its package.json "browser" field.
 */

/** The modes this backend accepts ('wasm' is gpu.js's 'webasm'; 'gpu' is any WebGL, headless-gl in Node). */
export type GpujsMode = 'gpu' | 'webgl2' | 'webgl' | 'headlessgl' | 'webgpu' | 'wasm' | 'cpu';
export const GPUJS_MODES: readonly GpujsMode[] = ['gpu', 'webgl2', 'webgl', 'headlessgl', 'webgpu', 'wasm', 'cpu'];

/** The parts of gpu.js this backend uses. */
export interface GpuJsKernel {
  (...args: unknown[]): unknown;
  destroy?(): void;
}
export interface GpuJsInstance {
  createKernel(source: string, settings: Record<string, unknown>): GpuJsKernel;
  destroy(): void | Promise<void>;
}
export interface GpuJsModule {
  GPU: {
    new (settings: { mode: string }): GpuJsInstance;
    readonly isWebGLSupported: boolean;
    readonly isWebGL2Supported: boolean;
    readonly isHeadlessGLSupported: boolean;
    readonly isWebAssemblySupported: boolean;
    readonly isWebGPUSupported: boolean;
    isWebGPUAvailable(): Promise<boolean>;
  };
}

let gpujs: GpuJsModule | undefined;

/** gpu.js, loaded once: its CommonJS entry in Node, its browser build (UMD) in a browser bundle. */
export async function loadGpuJs(): Promise<GpuJsModule> {
  if (!gpujs) {
    const m = (await import('gpu.js')) as unknown as Partial<GpuJsModule> & { default?: GpuJsModule };
    const GPU = m.GPU ?? m.default?.GPU;
    if (!GPU) throw new Error("gpujs: the 'gpu.js' module has no GPU export");
    gpujs = { GPU };
  }
  return gpujs;
}

const GL_HELP =
  "In a browser, use a WebGL-capable one. In Node, gpu.js draws through the optional native 'gl' package " +
  '(headless-gl), which npm skips when it cannot build it: install python3, make, g++ and the X11 headers ' +
  '(Debian: libx11-dev libxi-dev libxext-dev), run `npm rebuild gl` (or `npm install gl@8.1.6`), and run under a display ' +
  "(e.g. xvfb-run). Or pick mode 'wasm' or 'cpu', or pass { fallback: 'cpu' }.";

export const WEBGPU_HELP =
  "In Node, gpu.js's webgpu mode runs on dawn.node (the 'webgpu' package, pinned to 0.6.x by the repository's npm overrides); " +
  'without a GPU driver, install Debian\'s chromium-common and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json ' +
  "(SwiftShader). In a browser, one with WebGPU enabled. Or pick mode 'wasm' or 'cpu', or pass { fallback: 'cpu' }.";

/** In Node, give gpu.js a `navigator.gpu` from dawn.node (resolved from gpu.js's own dependency). */
async function installNodeWebGPU(): Promise<void> {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) return;
  if (typeof process === 'undefined' || !process.versions?.node) return;
  let dawn: { create(flags: string[]): unknown; globals: Record<string, unknown> };
  try {
    // inside try: browser bundles leave this Node-only import unresolved instead of failing
    const { createRequire } = await import('node:module');
    const fromGpuJs = createRequire(createRequire(import.meta.url).resolve('gpu.js'));
    dawn = fromGpuJs('webgpu') as typeof dawn;
  } catch (e) {
    throw new Error(`gpujs: mode 'webgpu' could not load the 'webgpu' package (${(e as Error).message}). ${WEBGPU_HELP}`);
  }
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  const gpu = dawn.create([]);
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}

/** gpu.js's name for a mode. */
export function gpujsModeName(mode: GpujsMode): string {
  return mode === 'wasm' ? 'webasm' : mode;
}

/** Why `mode` cannot run here (with what to install), or null when it can. */
export async function unavailableReason(mode: GpujsMode): Promise<string | null> {
  const { GPU } = await loadGpuJs();
  switch (mode) {
    case 'cpu':
      return null;
    case 'wasm':
      return GPU.isWebAssemblySupported ? null : "gpujs: mode 'wasm' needs WebAssembly, which this platform lacks. Use mode 'cpu'.";
    case 'webgl2':
      return GPU.isWebGL2Supported ? null : `gpujs: mode 'webgl2' needs WebGL2, which is unavailable here. ${GL_HELP}`;
    case 'webgl':
      return GPU.isWebGLSupported ? null : `gpujs: mode 'webgl' needs WebGL, which is unavailable here. ${GL_HELP}`;
    case 'headlessgl':
      return GPU.isHeadlessGLSupported ? null : `gpujs: mode 'headlessgl' needs the native 'gl' package, which is not installed or cannot open a context. ${GL_HELP}`;
    case 'gpu':
      return GPU.isHeadlessGLSupported || GPU.isWebGL2Supported || GPU.isWebGLSupported
        ? null
        : `gpujs: mode 'gpu' needs WebGL (a browser's, or headless-gl's in Node), and none is available. ${GL_HELP}`;
    case 'webgpu': {
      try {
        await installNodeWebGPU();
      } catch (e) {
        return (e as Error).message;
      }
      if (!GPU.isWebGPUSupported) return `gpujs: mode 'webgpu' needs navigator.gpu, which is missing. ${WEBGPU_HELP}`;
      return (await GPU.isWebGPUAvailable()) ? null : `gpujs: mode 'webgpu' found navigator.gpu but no adapter. ${WEBGPU_HELP}`;
    }
    default:
      return `gpujs: unknown mode '${String(mode)}' (expected one of ${GPUJS_MODES.join(', ')})`;
  }
}
