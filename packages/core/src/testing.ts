/**
 * @grokkit/core/testing: the finite-difference gradient check, the conformance suite every
 * backend runs against 'cpu-reference', and the switch that runs fused ops as their compositions.
 */
export { gradcheck, type GradcheckOptions } from './gradcheck.js';
export { conformanceCases, compareWithReference, type ConformanceCase, type InputSpec } from './conformance.js';
export { setFusion } from './fused.js';
