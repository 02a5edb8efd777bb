/**
 * Every backend's kernel tables are typed over every primitive and every fused op: declaring a new
 * one in core (here a `probe` primitive and a `probeFused` fused op, added by module augmentation
 * in a file compiled together with the package's sources) makes each backend fail to type-check
 * until it has an entry for it. One TypeScript program per package; webgpu and gpujs see core
 * through its built declarations, as a published backend would.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../../packages');

/** The diagnostics of package `pkg`'s sources compiled with an extra source file `probe`. */
function diagnostics(pkg: string, probe: string): { file: string; message: string }[] {
  const dir = join(packages, pkg);
  const parsed = ts.getParsedCommandLineOfConfigFile(join(dir, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } })!;
  const options = { ...parsed.options, noEmit: true, composite: false, declaration: false, declarationMap: false, incremental: false, tsBuildInfoFile: undefined };
  const probeFile = join(dir, 'src', '__probe__.ts');
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, lang, ...rest) => (file === probeFile ? ts.createSourceFile(file, probe, lang) : getSourceFile(file, lang, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => file === probeFile || fileExists(file);
  const program = ts.createProgram({ rootNames: [...parsed.fileNames, probeFile], options, host });
  return ts.getPreEmitDiagnostics(program).map((d) => ({
    file: d.file ? d.file.fileName.slice(dir.length + 1) : '',
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  }));
}

/** Augment core's two declarations, as a new primitive and a new fused op would change them. */
const augment = (primitives: string, fused: string) => `
declare module '${primitives}' { interface PrimitiveParams { probe: {} } }
declare module '${fused}' { interface FusedParams { probeFused: {} } }
export {};
`;

/** Which files fail, and on which name; every diagnostic must be about the probe. */
function missing(pkg: string, probe: string): string[] {
  const found = diagnostics(pkg, probe);
  const unrelated = found.filter((d) => !/'probe(Fused)?'/.test(d.message));
  expect(unrelated, 'diagnostics that are not about the new primitive or fused op').toEqual([]);
  return [...new Set(found.map((d) => `${d.file}: ${d.message.match(/Property '(probe(?:Fused)?)' is missing/)?.[1] ?? d.message.split('\n')[0]}`))].sort();
}

describe('a new primitive or fused op is a compile error in every backend until it has an entry', () => {
  it('core: the VJP table, the primitive kinds, the cpu kernels and both cpu fused tables', () => {
    expect(missing('core', augment('./primitives.js', './fused-params.js'))).toEqual([
      'src/cpu/backend.ts: probeFused',
      'src/cpu/fused-kernels.ts: probeFused',
      'src/cpu/kernels.ts: probe',
      'src/primitives.ts: probe',
      'src/vjp.ts: probe',
    ]);
  }, 120_000);

  const backends: [string, string[]][] = [
    ['webgpu', ['src/backend.ts: probe', 'src/kernels/fused.ts: probeFused']],
    ['gpujs', ['src/backend.ts: probe', 'src/backend.ts: probeFused']],
  ];
  for (const [pkg, expected] of backends) {
    it(`${pkg}: its kernel table and its fused table`, () => {
      expect(missing(pkg, augment('@grokkit/core/backend', '@grokkit/core/backend'))).toEqual(expected);
    }, 120_000);
  }
});
