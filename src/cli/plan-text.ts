/**
 * Plans as a person reads them now live in each job's definition (`describe`); this module re-exports
 * them for the CLI until it reads them from `Definitions` directly.
 */
import { Definitions } from "../jobs/index.ts"

export { formatBytes } from "../jobs/FileCleanup.ts"
export { describeUsers } from "../jobs/Offboarding.ts"

/** The plan's lines (its definition's `describe`). */
export const describePlan = (plan: Definitions.JobPlan): Array<string> => [...Definitions.describe(plan)]

/** Does the plan change nothing? */
export const isEmptyPlan = (plan: Definitions.JobPlan) => Definitions.isEmpty(plan)
