/**
 * Wire schemas of the guardrail operations: guardrails (list, create, get, update, delete) and their
 * member and key assignments (per guardrail, organisation-wide, bulk assign and unassign).
 *
 * As in `Domain.ts`: camelCase domain over the snake_case JSON of the contract, unknown fields ignored,
 * documented nulls accepted. Responses keep enums open (a new builtin filter never breaks a listing);
 * requests check them.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { NonEmptyId, optionalWire, pagingQuery, SpendingLimit, wire } from "./Domain.ts"
import { DataRegion, Uuid } from "./KeysDomain.ts"

// --- validation rules from the contract ---------------------------------------------------------------

/**
 * @since 0.1.0
 * @category schemas
 */
export const GuardrailName = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(200)).annotations({
  identifier: "GuardrailName",
  message: () => "a guardrail name is 1–200 characters"
})
/**
 * @since 0.1.0
 * @category schemas
 */
export const GuardrailDescription = Schema.String.pipe(Schema.maxLength(1000)).annotations({
  identifier: "GuardrailDescription",
  message: () => "a guardrail description is at most 1000 characters"
})

/**
 * How a guardrail's limit resets; `null` (in the fields) means never.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GuardrailInterval = Schema.Literal("daily", "weekly", "monthly")
/**
 * @since 0.1.0
 * @category models
 */
export type GuardrailInterval = typeof GuardrailInterval.Type

/**
 * @since 0.1.0
 * @category schemas
 */
export const ContentFilterAction = Schema.Literal("redact", "block", "flag")
/**
 * @since 0.1.0
 * @category schemas
 */
export const ContentFilterBuiltinSlug = Schema.Literal(
  "email",
  "phone",
  "ssn",
  "credit-card",
  "ip-address",
  "person-name",
  "address",
  "regex-prompt-injection"
)
/**
 * @since 0.1.0
 * @category schemas
 */
export const PromptInjectionScanScope = Schema.Literal("user_only", "all_messages")

/** A list the request must not send empty (`minItems: 1`); `null` clears it. */
const nonEmptyList = (what: string) =>
  Schema.NullOr(
    Schema.Array(Schema.String).pipe(
      Schema.minItems(1, { message: () => `${what} needs at least one entry, or null to clear it` })
    )
  )

const idList = (what: string) => Schema.Array(NonEmptyId).pipe(Schema.minItems(1, { message: () => `${what} needs at least one id` }))

// --- guardrails ----------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export class ContentFilterBuiltin extends Schema.Class<ContentFilterBuiltin>("ContentFilterBuiltin")({
  slug: Schema.String,
  action: Schema.String,
  /** System-assigned redaction placeholder, e.g. `[EMAIL]`. */
  label: Schema.optionalWith(Schema.String, { exact: true }),
  scanScope: optionalWire("scan_scope", Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class ContentFilter extends Schema.Class<ContentFilter>("ContentFilter")({
  pattern: Schema.String,
  action: Schema.String,
  label: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true })
}) {}

const NullableBoolean = Schema.NullOr(Schema.Boolean)
const NullableStrings = Schema.NullOr(Schema.Array(Schema.String))

/** Zero data retention and training/publication switches, shared by the guardrail and its requests. */
const policyFields = {
  /** Deprecated: copied into each per-provider field the request does not set. */
  enforceZdr: optionalWire("enforce_zdr", NullableBoolean),
  enforceZdrAnthropic: optionalWire("enforce_zdr_anthropic", NullableBoolean),
  enforceZdrGoogle: optionalWire("enforce_zdr_google", NullableBoolean),
  enforceZdrOpenai: optionalWire("enforce_zdr_openai", NullableBoolean),
  enforceZdrXai: optionalWire("enforce_zdr_xai", NullableBoolean),
  enforceZdrOther: optionalWire("enforce_zdr_other", NullableBoolean),
  enableFreeModelPublication: optionalWire("enable_free_model_publication", NullableBoolean),
  enableFreeModelTraining: optionalWire("enable_free_model_training", NullableBoolean),
  enablePaidModelTraining: optionalWire("enable_paid_model_training", NullableBoolean)
}

/**
 * @since 0.1.0
 * @category models
 */
export class Guardrail extends Schema.Class<Guardrail>("Guardrail")({
  id: Schema.String,
  name: Schema.String,
  description: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  /** The workspace it belongs to; `null` for a legacy guardrail predating workspaces (not "every workspace"). */
  workspaceId: wire("workspace_id", Schema.NullOr(Schema.String)),
  limitUsd: optionalWire("limit_usd", Schema.NullOr(Schema.Number)),
  resetInterval: optionalWire("reset_interval", Schema.NullOr(Schema.String)),
  includeByokInBudgets: wire("include_byok_in_budgets", Schema.Boolean),
  allowedModels: optionalWire("allowed_models", NullableStrings),
  allowedProviders: optionalWire("allowed_providers", NullableStrings),
  ignoredModels: optionalWire("ignored_models", NullableStrings),
  ignoredProviders: optionalWire("ignored_providers", NullableStrings),
  contentFilterBuiltins: optionalWire("content_filter_builtins", Schema.NullOr(Schema.Array(ContentFilterBuiltin))),
  contentFilters: optionalWire("content_filters", Schema.NullOr(Schema.Array(ContentFilter))),
  /** The data regions requests may be served from; `null` is no restriction (open: a new region never breaks a listing). */
  allowedDataRegions: optionalWire("allowed_data_regions", NullableStrings),
  ...policyFields,
  createdAt: wire("created_at", Schema.String),
  updatedAt: optionalWire("updated_at", Schema.NullOr(Schema.String))
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class ListGuardrailsResponse extends Schema.Class<ListGuardrailsResponse>("ListGuardrailsResponse")({
  data: Schema.Array(Guardrail),
  totalCount: wire("total_count", Schema.Int)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class GuardrailResponse extends Schema.Class<GuardrailResponse>("GuardrailResponse")({
  data: Guardrail
}) {}

/**
 * `GET /guardrails` query: paging, and the workspace (default: the default workspace).
 *
 * @since 0.1.0
 * @category schemas
 */
export const listGuardrailsQuery = {
  ...pagingQuery,
  workspaceId: optionalWire("workspace_id", Uuid)
}

const ContentFilterBuiltinInput = Schema.Struct({
  slug: ContentFilterBuiltinSlug,
  action: ContentFilterAction,
  scanScope: optionalWire("scan_scope", PromptInjectionScanScope)
})

const ContentFilterInput = Schema.Struct({
  pattern: Schema.String.pipe(Schema.minLength(1, { message: () => "a content filter pattern must not be empty" })),
  action: ContentFilterAction,
  label: Schema.optionalWith(Schema.NullOr(Schema.String.pipe(Schema.maxLength(100))), { exact: true })
})

/** Everything create and update may set (collections replace: send the full set every time). */
const guardrailSettings = {
  description: Schema.optionalWith(Schema.NullOr(GuardrailDescription), { exact: true }),
  limitUsd: optionalWire("limit_usd", Schema.NullOr(SpendingLimit)),
  resetInterval: optionalWire("reset_interval", Schema.NullOr(GuardrailInterval)),
  includeByokInBudgets: optionalWire("include_byok_in_budgets", Schema.Boolean),
  allowedModels: optionalWire("allowed_models", nonEmptyList("allowedModels")),
  allowedProviders: optionalWire("allowed_providers", nonEmptyList("allowedProviders")),
  ignoredModels: optionalWire("ignored_models", nonEmptyList("ignoredModels")),
  ignoredProviders: optionalWire("ignored_providers", nonEmptyList("ignoredProviders")),
  contentFilterBuiltins: optionalWire("content_filter_builtins", Schema.NullOr(Schema.Array(ContentFilterBuiltinInput))),
  contentFilters: optionalWire("content_filters", Schema.NullOr(Schema.Array(ContentFilterInput))),
  /**
   * The data regions requests may be served from: `global` (openrouter.ai), `europe` (eu.openrouter.ai),
   * `us` (us.openrouter.ai); `null` is no restriction. Where several guardrails apply, the intersection.
   */
  allowedDataRegions: optionalWire("allowed_data_regions", Schema.NullOr(Schema.Array(DataRegion))),
  ...policyFields
}

/**
 * @since 0.1.0
 * @category models
 */
export class CreateGuardrailRequest extends Schema.Class<CreateGuardrailRequest>("CreateGuardrailRequest")({
  name: GuardrailName,
  /** Only places the guardrail; it enforces nothing until assigned. Default: the default workspace. */
  workspaceId: optionalWire("workspace_id", Uuid),
  ...guardrailSettings
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class UpdateGuardrailRequest extends Schema.Class<UpdateGuardrailRequest>("UpdateGuardrailRequest")({
  /** A workspace default guardrail's name is derived from its workspace and cannot change. */
  name: Schema.optionalWith(GuardrailName, { exact: true }),
  ...guardrailSettings
}) {}

// --- assignments ---------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export class MemberAssignment extends Schema.Class<MemberAssignment>("MemberAssignment")({
  id: Schema.String,
  userId: wire("user_id", Schema.String),
  organizationId: wire("organization_id", Schema.String),
  guardrailId: wire("guardrail_id", Schema.String),
  assignedBy: wire("assigned_by", Schema.NullOr(Schema.String)),
  createdAt: wire("created_at", Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class KeyAssignment extends Schema.Class<KeyAssignment>("KeyAssignment")({
  id: Schema.String,
  keyHash: wire("key_hash", Schema.String),
  keyName: wire("key_name", Schema.String),
  keyLabel: wire("key_label", Schema.String),
  guardrailId: wire("guardrail_id", Schema.String),
  assignedBy: wire("assigned_by", Schema.NullOr(Schema.String)),
  createdAt: wire("created_at", Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class ListMemberAssignmentsResponse extends Schema.Class<ListMemberAssignmentsResponse>(
  "ListMemberAssignmentsResponse"
)({
  data: Schema.Array(MemberAssignment),
  totalCount: wire("total_count", Schema.Int)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class ListKeyAssignmentsResponse extends Schema.Class<ListKeyAssignmentsResponse>(
  "ListKeyAssignmentsResponse"
)({
  data: Schema.Array(KeyAssignment),
  totalCount: wire("total_count", Schema.Int)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class BulkMemberAssignmentsRequest extends Schema.Class<BulkMemberAssignmentsRequest>(
  "BulkMemberAssignmentsRequest"
)({
  memberUserIds: wire("member_user_ids", idList("memberUserIds"))
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class BulkKeyAssignmentsRequest extends Schema.Class<BulkKeyAssignmentsRequest>("BulkKeyAssignmentsRequest")({
  keyHashes: wire("key_hashes", idList("keyHashes"))
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class AssignedResponse extends Schema.Class<AssignedResponse>("AssignedResponse")({
  assignedCount: wire("assigned_count", Schema.Int)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class UnassignedResponse extends Schema.Class<UnassignedResponse>("UnassignedResponse")({
  unassignedCount: wire("unassigned_count", Schema.Int)
}) {}
