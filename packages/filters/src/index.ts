/**
 * @grokkit/filters: spectral gradient filters as gradient transforms (Grokfast EMA/MA, general
 * linear filters, Butterworth designs, ⊥Grad, egalitarian gradients), their frequency responses, and a gradient-spectrum
 * recorder that measures the slow/fast decomposition during training.
 */
export { grokfastEma, type GrokfastEmaOptions, type GrokfastEmaState } from './grokfast-ema.js';
export { grokfastMa, type GrokfastMaOptions, type GrokfastMaState } from './grokfast-ma.js';
export { lti, normaliseFilter, type LtiOptions, type LtiState, type NormalisedFilter } from './lti.js';
export { butterworth, type ButterworthOptions } from './butterworth.js';
export { frequencyResponse, specToCoefficients, type FrequencyResponse, type ResponseSource } from './frequency-response.js';
export { orthogonalGrad, type OrthogonalGradOptions } from './orthogonal-grad.js';
export { egalitarianGrad, type EgalitarianOptions } from './egalitarian.js';
export { GradientSpectrum, lowHighRatio, type GradientSpectrumOptions, type GradientSpectrumState, type SpectrumReport, type SpectrumPower } from './spectrum.js';
export { fft, rfft, hann, isPowerOfTwo } from './fft.js';
export { perParamFilter, type PerParamFilterDef, type PerParamState, type StepContext } from './per-param.js';
export { poles, isStable, spectralRadius, transferAt, type Complex } from './polynomial.js';
export { withSpec, type FilterSpec, type FilterTransform } from './spec.js';
