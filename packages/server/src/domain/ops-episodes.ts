/** When ops alerts fire: once per episode, an episode opening on a threshold and closing when the cause is gone. */

export interface FailingRule {
  /** How many of an endpoint's latest attempts its failure rate is taken over; fewer never open an episode. */
  window: number;
  /** Failure rate above which the endpoint is failing (0.1 = more than 10% of the window failed). */
  threshold: number;
}

export type EpisodeStep = 'open' | 'close' | 'keep';

/**
 * What an endpoint's latest attempts mean for its `endpoint.failing` episode. An episode opens once a full window
 * fails above the threshold, and closes when the rate is back at or below it; in between nothing is raised again.
 */
export function failingEpisodeStep(attempts: number, failures: number, episodeOpen: boolean, rule: FailingRule): EpisodeStep {
  if (attempts === 0) return 'keep';
  const rate = failures / attempts;
  if (!episodeOpen) return attempts >= rule.window && rate > rule.threshold ? 'open' : 'keep';
  return rate <= rule.threshold ? 'close' : 'keep';
}
