/**
 * One definition per job kind: its spec and plan schemas, what its progress counts, whether it is
 * destructive, how it plans and applies, and how a person reads its plan. Plan files
 * (`PlanFile.AnyPlan`), resume, the jobs index and the CLI derive from {@link definitions}; a new
 * job kind is one more entry.
 *
 * ```ts
 * const onboarding = Definitions.definitions.onboarding
 * const plan = yield* onboarding.plan({ users: ["ada@example.com"], workspaces: ["team-a"] })
 * for (const line of onboarding.describe(plan)) console.log(line)
 * ```
 *
 * @since 0.1.0
 */
import { type PubSub, type Schema, SchemaAST } from "effect"
import type { Effect } from "effect/Effect"
import type { OpenRouterError, PaginationError } from "../Errors.ts"
import type { Files } from "../Files.ts"
import type { Guardrails } from "../Guardrails.ts"
import type { Keys } from "../Keys.ts"
import type { Organization } from "../Organization.ts"
import type { Workspaces } from "../Workspaces.ts"
import * as BudgetPolicy from "./BudgetPolicy.ts"
import type * as Engine from "./Engine.ts"
import * as FileCleanup from "./FileCleanup.ts"
import type { Journal } from "./Journal.ts"
import type { JournalError, LeaseHeldError } from "./journal/errors.ts"
import * as KeyHygiene from "./KeyHygiene.ts"
import * as KeyRotation from "./KeyRotation.ts"
import * as Offboarding from "./Offboarding.ts"
import * as Onboarding from "./Onboarding.ts"
import * as OrgApply from "./OrgApply.ts"

/**
 * Options of a job's `plan`.
 *
 * @since 0.1.0
 * @category models
 */
export interface PlanOptions {
  /** Workspaces (or other lists) read at once, ≥ 1. Default 4. */
  readonly concurrency?: number | undefined
  /** Requests per second while reading, ≥ 1 (the job's gate when called inside one). Default 10. */
  readonly rate?: number | undefined
  /** `Reading` events are published here while the plan reads ("workspace 3/14"). */
  readonly events?: PubSub.PubSub<Engine.JobEvent> | undefined
  /** The job the plan is for, when known; a job whose plan depends on its earlier runs reads them (key rotation). */
  readonly jobId?: string | undefined
}

/**
 * The services every job of this package may call.
 *
 * @since 0.1.0
 * @category models
 */
export type JobServices = Workspaces | Organization | Files | Keys | Guardrails

/**
 * How a job can fail (items that fail are in the report, not here): an invalid spec, plan or option
 * (`InvalidRequestError`), or the server refusing the reads the plan needs.
 *
 * @since 0.1.0
 * @category models
 */
export type JobError = OpenRouterError | PaginationError

/**
 * How applying can fail besides {@link JobError}: the journal cannot be used, another runner holds
 * the job, or a resume names a job started with another kind or spec.
 *
 * @since 0.1.0
 * @category models
 */
export type ApplyError = JournalError | LeaseHeldError | Engine.ResumeConflictError

/**
 * A job kind, declared once.
 *
 * @since 0.1.0
 * @category models
 */
export interface JobDefinition<K extends string, Spec, Plan, E = JobError, R = JobServices> {
  /** `"onboarding"`: the kind recorded in the journal and in plan files. */
  readonly kind: K
  /** The spec class: `Schema.decodeUnknown(definition.spec)` reads the encoded form. */
  readonly spec: Schema.Schema<Spec, any>
  /** The plan class (a `TaggedClass`), one member of `PlanFile.AnyPlan`. */
  readonly planSchema: Schema.Schema<Plan, any>
  /** What its progress counts. */
  readonly unit: Engine.JobUnit
  /** Removes or disables something: needs an explicit confirmation. */
  readonly destructive: boolean
  /** Read the server and compute what to change, from a spec (an instance or its encoded form). Changes nothing. */
  readonly plan: (spec: unknown, options?: PlanOptions) => Effect<Plan, E, R>
  /** Apply a spec (plan, then run) or a saved plan (checked against the server first unless `trusted`). */
  readonly apply: (specOrPlan: unknown, options?: Engine.ApplyJobOptions) => Effect<Engine.JobReport, E | ApplyError, R | Journal>
  /** The plan as a person reads it, one line each: what changes, counted and sampled. */
  readonly describe: (plan: Plan) => ReadonlyArray<string>
  /** Does the plan change nothing? */
  readonly isEmpty: (plan: Plan) => boolean
}

/**
 * Every job kind, by kind.
 *
 * @since 0.1.0
 * @category definitions
 */
export const definitions = {
  [Onboarding.definition.kind]: Onboarding.definition,
  [Offboarding.definition.kind]: Offboarding.definition,
  [BudgetPolicy.definition.kind]: BudgetPolicy.definition,
  [FileCleanup.definition.kind]: FileCleanup.definition,
  [KeyHygiene.definition.kind]: KeyHygiene.definition,
  [OrgApply.definition.kind]: OrgApply.definition,
  [KeyRotation.definition.kind]: KeyRotation.definition
} as const

/**
 * @since 0.1.0
 * @category models
 */
export type Definitions = typeof definitions

/**
 * `"onboarding" | "offboarding" | …`
 *
 * @since 0.1.0
 * @category models
 */
export type JobKind = keyof Definitions

/**
 * The spec of any job kind.
 *
 * @since 0.1.0
 * @category models
 */
export type JobSpec = { readonly [K in JobKind]: Schema.Schema.Type<Definitions[K]["spec"]> }[JobKind]

/**
 * The plan of any job kind.
 *
 * @since 0.1.0
 * @category models
 */
export type JobPlan = { readonly [K in JobKind]: Schema.Schema.Type<Definitions[K]["planSchema"]> }[JobKind]

/**
 * Any job definition (what code that handles every kind takes).
 *
 * @since 0.1.0
 * @category models
 */
export type AnyDefinition = Definitions[JobKind]

/**
 * Every kind, in the table's order.
 *
 * @since 0.1.0
 * @category definitions
 */
export const kinds = Object.keys(definitions) as ReadonlyArray<JobKind>

/**
 * Is this a job kind of this version (e.g. one read from a journal)?
 *
 * @since 0.1.0
 * @category definitions
 */
export const isJobKind = (kind: string): kind is JobKind => Object.hasOwn(definitions, kind)

/**
 * The definition whose plan schema has this tag (`"OnboardingPlan"`), to apply or describe a saved plan.
 *
 * @since 0.1.0
 * @category definitions
 */
export const ofPlan = (plan: JobPlan): AnyDefinition => byPlanTag.get(plan._tag)!

const byPlanTag = new Map<string, AnyDefinition>(
  Object.values(definitions).map((definition) => [tagOf(definition.planSchema), definition])
)

/** A TaggedClass's `_tag` literal. */
function tagOf(schema: Schema.Schema<any, any>): string {
  const tag = SchemaAST.getPropertySignatures(schema.ast).find((p) => p.name === "_tag")?.type
  if (tag === undefined || !SchemaAST.isLiteral(tag) || typeof tag.literal !== "string") {
    throw new Error("a job's planSchema must be a Schema.TaggedClass")
  }
  return tag.literal
}

/**
 * The kind of a plan.
 *
 * @since 0.1.0
 * @category definitions
 */
export const kindOf = (plan: JobPlan): JobKind => ofPlan(plan).kind

/**
 * A plan as a person reads it (its definition's `describe`).
 *
 * @since 0.1.0
 * @category definitions
 */
export const describe = (plan: JobPlan): ReadonlyArray<string> => (ofPlan(plan).describe as (plan: JobPlan) => ReadonlyArray<string>)(plan)

/**
 * Does the plan change nothing (its definition's `isEmpty`)?
 *
 * @since 0.1.0
 * @category definitions
 */
export const isEmpty = (plan: JobPlan): boolean => (ofPlan(plan).isEmpty as (plan: JobPlan) => boolean)(plan)
