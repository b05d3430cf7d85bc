/**
 * The job definitions the CLI derives its job commands from: the library's table
 * (`src/jobs/Definitions.ts`), seen by the runner without each kind's types.
 */
import { Definitions, type PlanFile } from "../jobs/index.ts"

export { type AnyDefinition, definitions, isJobKind, type JobDefinition, type JobKind, type PlanOptions } from "../jobs/Definitions.ts"

/** A kind's definition seen without its kind's types: the runner treats every kind the same way. */
export const definitionOf = (kind: Definitions.JobKind): Definitions.JobDefinition<Definitions.JobKind, unknown, PlanFile.AnyPlan, unknown, any> =>
  Definitions.definitions[kind] as unknown as Definitions.JobDefinition<Definitions.JobKind, unknown, PlanFile.AnyPlan, unknown, any>
