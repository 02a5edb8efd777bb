/**
 * @grokkit/diffusion: masked (absorbing-state) discrete diffusion over token sequences — the
 * log-linear schedule, the MDLM/LLaDA loss with SUBS parameterisation, ancestral and
 * confidence-ordered samplers, and an `Encoder` denoiser — and Gaussian DDPM for vectors —
 * linear/cosine β schedules, ε-prediction, sinusoidal time embedding, ancestral sampling, an MLP denoiser.
 */
export { maskProbability, lossWeight, timeWeight, sampleTimes, TIME_WEIGHTINGS, type TimeOptions, type TimeWeighting } from './mask-schedule.js';
export { reweightTokens, type TokenReweighting } from './token-reweighting.js';
export { maskTokens, type MaskOptions, type Masked } from './masking.js';
export { NEG_INF, suppressMask, subsLogProbs } from './subs.js';
export {
  maskedLossFromLogits, maskedDiffusionLoss, NORMALIZATIONS,
  type Normalization, type MaskedLossInputs, type MaskedDiffusionLossOptions, type MaskedDiffusionLoss,
} from './masked-loss.js';
export {
  ancestralSample, confidenceSample, UNMASK_SCHEDULES,
  type Denoise, type SamplerOptions, type ConfidenceSamplerOptions, type UnmaskSchedule,
} from './samplers.js';
export { MaskedDenoiser, type MaskedDenoiserConfig } from './masked-denoiser.js';
export { betaSchedule, alphaBars, BETA_SCHEDULES, type BetaScheduleKind, type BetaScheduleOptions } from './beta-schedule.js';
export { timeEmbedding } from './time-embedding.js';
export {
  GaussianDiffusion, SAMPLER_VARIANCES,
  type EpsModel, type GaussianDiffusionOptions, type SamplerVariance,
} from './gaussian-diffusion.js';
export { MlpDenoiser, type MlpDenoiserOptions } from './mlp-denoiser.js';
