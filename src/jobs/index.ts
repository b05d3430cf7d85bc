/**
 * Bulk jobs: plan first (a dry run that changes nothing), then apply with bounded concurrency under a
 * shared rate gate, journaled so a re-run with the same job id resumes. Each job kind is one
 * definition (`Definitions.definitions`): its spec, plan, apply and how a person reads its plan. Each
 * job takes a spec (`OnboardingSpec`, …, or its encoded form) and fails with `InvalidRequestError` on
 * anything else.
 *
 * @since 0.1.0
 */
export * as BudgetPolicy from "./BudgetPolicy.ts"
export * as Counts from "./Counts.ts"
export * as Definitions from "./Definitions.ts"
export { definitions, type JobDefinition, type JobKind, type JobPlan, type JobSpec, type PlanOptions } from "./Definitions.ts"
export * as Engine from "./Engine.ts"
export * as FileCleanup from "./FileCleanup.ts"
export * as Journal from "./Journal.ts"
export * as KeyHygiene from "./KeyHygiene.ts"
export * as KeyRotation from "./KeyRotation.ts"
export { KeyRotationSpec } from "./KeyRotation.ts"
export * as Offboarding from "./Offboarding.ts"
export * as Onboarding from "./Onboarding.ts"
export { Org } from "./Org.ts"
export * as OrgPlan from "./OrgPlan.ts"
export * as OrgSpec from "./OrgSpec.ts"
export * as PlanFile from "./PlanFile.ts"
export * as Reading from "./Reading.ts"
export * as SecretSink from "./SecretSink.ts"
export * as Specs from "./Specs.ts"
export { BudgetPolicySpec, FileCleanupSpec, KeyHygieneSpec, OffboardingSpec, OnboardingSpec } from "./Specs.ts"
export * as UsersFile from "./UsersFile.ts"
