/**
 * The job definitions the CLI derives its job commands from, in the shape of `src/jobs/Definitions.ts`
 * (agreed in coord/PLAN.md). Until that table lands, this adapter builds the same shape from the job
 * modules; when it lands this file becomes `export * from "../jobs/Definitions.ts"`.
 */
import type { Effect, PubSub } from "effect"
import type * as Schema from "effect/Schema"
import { BudgetPolicy, type Engine, FileCleanup, KeyHygiene, Offboarding, Onboarding, type PlanFile, Specs } from "../jobs/index.ts"
import { describePlan, isEmptyPlan } from "./plan-text.ts"

export interface PlanOptions {
  readonly concurrency?: number
  readonly rate?: number
  /** Where the plan publishes what it reads (`Reading` events). */
  readonly events?: PubSub.PubSub<Engine.JobEvent>
}

export interface JobDefinition<K extends string, Spec, Plan> {
  readonly kind: K
  readonly spec: Schema.Schema<Spec, any>
  readonly unit: Engine.JobUnit
  readonly destructive: boolean
  readonly plan: (spec: unknown, options?: PlanOptions) => Effect.Effect<Plan, unknown, any>
  readonly apply: (specOrPlan: unknown, options?: Engine.ApplyJobOptions) => Effect.Effect<Engine.JobReport, unknown, any>
  readonly describe: (plan: Plan) => ReadonlyArray<string>
  readonly isEmpty: (plan: Plan) => boolean
}

const define = <const K extends Specs.JobKind, Spec, Plan extends PlanFile.AnyPlan>(
  definition: Omit<JobDefinition<K, Spec, Plan>, "describe" | "isEmpty">
): JobDefinition<K, Spec, Plan> => ({ ...definition, describe: describePlan, isEmpty: isEmptyPlan })

export const definitions = {
  "onboarding": define({
    kind: "onboarding",
    spec: Specs.OnboardingSpec,
    unit: "users",
    destructive: false,
    plan: Onboarding.plan,
    apply: Onboarding.apply
  }),
  "offboarding": define({
    kind: "offboarding",
    spec: Specs.OffboardingSpec,
    unit: "changes",
    destructive: true,
    plan: Offboarding.plan,
    apply: Offboarding.apply
  }),
  "budget-policy": define({
    kind: "budget-policy",
    spec: Specs.BudgetPolicySpec,
    unit: "budgets",
    destructive: true,
    plan: BudgetPolicy.plan,
    apply: BudgetPolicy.apply
  }),
  "file-cleanup": define({
    kind: "file-cleanup",
    spec: Specs.FileCleanupSpec,
    unit: "files",
    destructive: true,
    plan: FileCleanup.plan,
    apply: FileCleanup.apply
  }),
  "key-hygiene": define({
    kind: "key-hygiene",
    spec: Specs.KeyHygieneSpec,
    unit: "keys",
    destructive: true,
    plan: KeyHygiene.plan,
    apply: KeyHygiene.apply
  })
}

export type JobKind = keyof typeof definitions
export type AnyDefinition = (typeof definitions)[JobKind]
export const isJobKind = (kind: string): kind is JobKind => Object.hasOwn(definitions, kind)

/** A kind's definition seen without its kind's types: the runner treats every kind the same way. */
export const definitionOf = (kind: JobKind): JobDefinition<JobKind, unknown, PlanFile.AnyPlan> =>
  definitions[kind] as unknown as JobDefinition<JobKind, unknown, PlanFile.AnyPlan>
