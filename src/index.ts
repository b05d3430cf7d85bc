/**
 * openrouter-effect: an Effect client for OpenRouter's management API.
 *
 * @since 0.1.0
 */
export * as Activity from "./Activity.ts"
export * from "./ActivityDomain.ts"
export * as Analytics from "./Analytics.ts"
export * from "./AnalyticsDomain.ts"
export * as Credits from "./Credits.ts"
export * from "./CreditsDomain.ts"
export * as Domain from "./Domain.ts"
export * from "./Domain.ts"
export * from "./Errors.ts"
export * from "./FileDomain.ts"
export * as Files from "./Files.ts"
export * as Guardrails from "./Guardrails.ts"
export * from "./GuardrailsDomain.ts"
export * as Keys from "./Keys.ts"
export * from "./KeysDomain.ts"
export * as OpenRouterClient from "./OpenRouterClient.ts"
export * as Organization from "./Organization.ts"
export * as RetryPolicy from "./RetryPolicy.ts"
export * as Workspaces from "./Workspaces.ts"
