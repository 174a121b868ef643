/**
 * A usage plan, as API Gateway has them: a steady rate with bursts (a token bucket) and a
 * quota of requests per UTC day, for every request made with a key on the plan. (The same
 * shape as the rate-limit middleware's `KeyPlan`.)
 */
export interface UsagePlan {
  name: string;
  ratePerSecond: number;
  burst: number;
  dailyQuota: number;
}

export const defaultUsagePlans: UsagePlan[] = [
  { name: 'basic', ratePerSecond: 10, burst: 20, dailyQuota: 10_000 },
  { name: 'pro', ratePerSecond: 50, burst: 100, dailyQuota: 100_000 },
];

export const DEFAULT_PLAN = 'basic';

const PLAN_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Checks configured plans at start, so a bad plan stops the process with a clear message. */
export function checkPlans(plans: UsagePlan[], defaultPlan: string): void {
  if (plans.length === 0) throw new Error('Usage plans: configure at least one plan');
  const seen = new Set<string>();
  for (const plan of plans) {
    if (!PLAN_NAME.test(plan.name)) {
      throw new Error(`Usage plans: "${plan.name}" must be lower-case letters, digits and dashes (1–32)`);
    }
    if (seen.has(plan.name)) throw new Error(`Usage plans: "${plan.name}" is configured twice`);
    seen.add(plan.name);
    for (const field of ['ratePerSecond', 'burst', 'dailyQuota'] as const) {
      if (!Number.isFinite(plan[field]) || plan[field] <= 0) {
        throw new Error(`Usage plans: ${plan.name}.${field} must be a positive number`);
      }
    }
    if (plan.burst < 1) throw new Error(`Usage plans: ${plan.name}.burst must be at least 1`);
  }
  if (!seen.has(defaultPlan)) throw new Error(`Usage plans: the default plan "${defaultPlan}" is not configured`);
}
