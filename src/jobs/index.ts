/**
 * Bulk jobs: plan first (a dry run that changes nothing), then apply with bounded concurrency under a
 * shared rate gate, journaled in SQLite so a re-run with the same job id resumes. Each job takes a
 * spec (`OnboardingSpec`, …, or its encoded form) and fails with `InvalidRequestError` on anything else.
 *
 * @since 0.1.0
 */
export * as BudgetPolicy from "./BudgetPolicy.ts"
export * as Engine from "./Engine.ts"
export * as FileCleanup from "./FileCleanup.ts"
export * as Journal from "./Journal.ts"
export * as KeyHygiene from "./KeyHygiene.ts"
export { Org } from "./Org.ts"
export * as OrgPlan from "./OrgPlan.ts"
export * as OrgSpec from "./OrgSpec.ts"
export * as PlanFile from "./PlanFile.ts"
export * as Specs from "./Specs.ts"
export { BudgetPolicySpec, FileCleanupSpec, KeyHygieneSpec, OffboardingSpec, OnboardingSpec } from "./Specs.ts"
export * as UsersFile from "./UsersFile.ts"
import { Effect } from "effect"
import type * as Engine from "./Engine.ts"
import * as Membership from "./Membership.ts"

type ApplyOptions = Engine.ApplyOptions & { readonly trusted?: boolean }

/**
 * Onboarding: add users (ids or e-mails) to workspaces, creating workspaces and budgets if asked, and
 * assigning a guardrail (`guardrail`) to the users of its workspace.
 */
export const Onboarding = {
  /** Plan from an `OnboardingSpec` (or its encoded form). Changes nothing. */
  plan: (spec: unknown, options?: Membership.PlanOptions) =>
    Effect.map(Membership.plan("add", spec, options), (plan) => plan as Membership.OnboardingPlan),
  /** Apply a spec, or a plan (re-checked against the server unless `trusted`). */
  apply: (input: unknown, options?: ApplyOptions) => Membership.apply("add", input, options)
}

/**
 * Offboarding: take users' access to workspaces away: their active keys there disabled (or deleted,
 * `keys: "delete"`), their direct guardrail assignments there removed, then their memberships;
 * members that cannot be removed are isolated and reported.
 */
export const Offboarding = {
  plan: (spec: unknown, options?: Membership.PlanOptions) =>
    Effect.map(Membership.plan("remove", spec, options), (plan) => plan as Membership.OffboardingPlan),
  apply: (input: unknown, options?: ApplyOptions) => Membership.apply("remove", input, options)
}

export { GuardrailPlan, type MembershipPlan, OffboardingPlan, OnboardingPlan, PlannedKey, PlannedUnassignment, WorkspacePlan } from "./Membership.ts"
