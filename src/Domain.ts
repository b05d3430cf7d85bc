/**
 * Wire schemas of OpenRouter's management API, defined once and shared by the client and the simulator.
 *
 * Each class is the camelCase domain type; its encoded side is the snake_case JSON of
 * `spec/openrouter-openapi.yaml` (a copy of OpenRouter's spec). Decoding ignores unknown fields and accepts documented nulls.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

// --- helpers: the snake_case mapping lives in the schema ------------------------------------------

/**
 * A required field whose wire name is `key`. The key's literal type is kept, so the encoded type names
 * the wire field (a plain `string` key became an index signature, which `skipLibCheck: false` rejects).
 *
 * @since 0.1.0
 * @category utils
 */
export const wire = <const K extends string, S extends Schema.Schema.Any>(key: K, schema: S) =>
  Schema.propertySignature(schema).pipe(Schema.fromKey(key))

/**
 * An optional field whose wire name is `key`; absent stays absent (`exactOptionalPropertyTypes`).
 *
 * @since 0.1.0
 * @category utils
 */
export const optionalWire = <const K extends string, S extends Schema.Schema.All>(key: K, schema: S) =>
  Schema.optionalWith(schema, { exact: true }).pipe(Schema.fromKey(key))

const NullableString = Schema.NullOr(Schema.String)
const Metadata = Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown }))

// --- validation rules from the spec ----------------------------------------------------------------

/**
 * A workspace slug: lowercase words joined by single hyphens, 1–50 characters.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Slug = Schema.String.pipe(
  Schema.minLength(1),
  Schema.maxLength(50),
  Schema.pattern(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
    message: () => "a slug is lowercase letters and digits in words joined by single hyphens, e.g. \"team-a\""
  })
).annotations({ identifier: "Slug" })

/**
 * @since 0.1.0
 * @category schemas
 */
export const WorkspaceName = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(100)).annotations({
  identifier: "WorkspaceName"
})
/**
 * @since 0.1.0
 * @category schemas
 */
export const WorkspaceDescription = Schema.String.pipe(Schema.maxLength(500)).annotations({
  identifier: "WorkspaceDescription"
})
/**
 * @since 0.1.0
 * @category schemas
 */
export const SamplingRate = Schema.Number.pipe(Schema.between(0.0001, 1)).annotations({ identifier: "SamplingRate" })
/**
 * An id, slug, hash or e-mail: printable, 1–512 characters (never a control character or a pasted blob).
 *
 * @since 0.1.0
 * @category schemas
 */
export const NonEmptyId = Schema.String.pipe(
  Schema.minLength(1, { message: () => "an id must not be empty" }),
  Schema.maxLength(512, { message: () => "an id is at most 512 characters" }),
  Schema.pattern(/^[^\u0000-\u001f\u007f]*$/, { message: () => "an id must not contain control characters" })
)
/**
 * @since 0.1.0
 * @category schemas
 */
export const UserIds = Schema.Array(NonEmptyId).pipe(
  Schema.minItems(1, { message: () => "userIds needs at least one id" }),
  Schema.maxItems(100, { message: () => "userIds takes at most 100 ids per call (the API's limit); chunk larger lists" })
)
/**
 * @since 0.1.0
 * @category schemas
 */
export const LimitUsd = Schema.Number.pipe(
  Schema.greaterThan(0, { message: () => "limitUsd must be greater than 0" }),
  Schema.finite()
)
/** A spending limit on a key or a guardrail: a finite amount ≥ 0 (0 blocks spending). The contract sets
 *
 * @since 0.1.0
 * @category schemas
 * no bound; a negative or non-finite limit is never what anyone means. */
export const SpendingLimit = Schema.Number.pipe(
  Schema.finite({ message: () => "a spending limit must be a finite amount in USD" }),
  Schema.nonNegative({ message: () => "a spending limit must be 0 or more (USD)" })
)
/**
 * @since 0.1.0
 * @category schemas
 */
export const PageLimit = Schema.Int.pipe(Schema.between(1, 100, { message: () => "limit must be an integer 1–100" }))
/**
 * @since 0.1.0
 * @category schemas
 */
export const FilePageLimit = Schema.Int.pipe(
  Schema.between(1, 1000, { message: () => "limit must be an integer 1–1000" })
)
/**
 * @since 0.1.0
 * @category schemas
 */
export const Offset = Schema.NonNegativeInt.annotations({ message: () => "offset must be an integer ≥ 0" })

// --- query parameters: strings on the wire (`?offset=20`), typed in the domain ---------------------------------------

/**
 * @since 0.1.0
 * @category schemas
 */
export const OffsetParam = Schema.compose(Schema.NumberFromString, Offset)
/**
 * @since 0.1.0
 * @category schemas
 */
export const PageLimitParam = Schema.compose(Schema.NumberFromString, PageLimit)
/**
 * @since 0.1.0
 * @category schemas
 */
export const FilePageLimitParam = Schema.compose(Schema.NumberFromString, FilePageLimit)
/**
 * @since 0.1.0
 * @category schemas
 */
export const BooleanParam = Schema.BooleanFromString

/**
 * `offset` and `limit` (1–100), the paging of most list operations.
 *
 * @since 0.1.0
 * @category schemas
 */
export const pagingQuery = {
  offset: optionalWire("offset", OffsetParam),
  limit: optionalWire("limit", PageLimitParam)
}

/**
 * The interval a budget is addressed by.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BudgetInterval = Schema.Literal("daily", "weekly", "monthly", "lifetime")
/**
 * @since 0.1.0
 * @category models
 */
export type BudgetInterval = typeof BudgetInterval.Type

// --- workspaces ------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export class Workspace extends Schema.Class<Workspace>("Workspace")({
  id: Schema.String,
  defaultGuardrailId: wire("default_guardrail_id", Schema.String),
  name: Schema.String,
  slug: Schema.String,
  description: NullableString,
  defaultTextModel: wire("default_text_model", NullableString),
  defaultImageModel: wire("default_image_model", NullableString),
  defaultProviderSort: wire("default_provider_sort", NullableString),
  isObservabilityIoLoggingEnabled: wire("is_observability_io_logging_enabled", Schema.Boolean),
  isObservabilityBroadcastEnabled: wire("is_observability_broadcast_enabled", Schema.Boolean),
  isDataDiscountLoggingEnabled: wire("is_data_discount_logging_enabled", Schema.Boolean),
  ioLoggingSamplingRate: wire("io_logging_sampling_rate", Schema.Number),
  ioLoggingApiKeyIds: wire("io_logging_api_key_ids", Schema.NullOr(Schema.Array(Schema.Int))),
  includeByokInBudgets: optionalWire("include_byok_in_budgets", Schema.Boolean),
  createdAt: wire("created_at", Schema.String),
  updatedAt: wire("updated_at", NullableString),
  createdBy: wire("created_by", NullableString),
  /** Server tools disabled for this workspace; null means none (absent from older servers). */
  disabledServerTools: optionalWire("disabled_server_tools", Schema.NullOr(Schema.Array(Schema.String)))
}) {}

/** The settings shared by create and update requests (all optional here). */
const workspaceSettings = {
  description: Schema.optionalWith(Schema.NullOr(WorkspaceDescription), { exact: true }),
  defaultTextModel: optionalWire("default_text_model", NullableString),
  defaultImageModel: optionalWire("default_image_model", NullableString),
  defaultProviderSort: optionalWire("default_provider_sort", NullableString),
  ioLoggingApiKeyIds: optionalWire("io_logging_api_key_ids", Schema.NullOr(Schema.Array(Schema.Int))),
  ioLoggingSamplingRate: optionalWire("io_logging_sampling_rate", SamplingRate),
  isDataDiscountLoggingEnabled: optionalWire("is_data_discount_logging_enabled", Schema.Boolean),
  isObservabilityBroadcastEnabled: optionalWire("is_observability_broadcast_enabled", Schema.Boolean),
  isObservabilityIoLoggingEnabled: optionalWire("is_observability_io_logging_enabled", Schema.Boolean),
  /** Server tools to disable (an open enum: unknown values pass); `[]` or `null` clears the list. */
  disabledServerTools: optionalWire("disabled_server_tools", Schema.NullOr(Schema.Array(Schema.String)))
}

/**
 * @since 0.1.0
 * @category models
 */
export class CreateWorkspaceRequest extends Schema.Class<CreateWorkspaceRequest>("CreateWorkspaceRequest")({
  name: WorkspaceName,
  slug: Slug,
  ...workspaceSettings
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class UpdateWorkspaceRequest extends Schema.Class<UpdateWorkspaceRequest>("UpdateWorkspaceRequest")({
  name: Schema.optionalWith(WorkspaceName, { exact: true }),
  slug: Schema.optionalWith(Slug, { exact: true }),
  ...workspaceSettings
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class WorkspaceResponse extends Schema.Class<WorkspaceResponse>("WorkspaceResponse")({
  data: Workspace
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class ListWorkspacesResponse extends Schema.Class<ListWorkspacesResponse>("ListWorkspacesResponse")({
  data: Schema.Array(Workspace),
  totalCount: wire("total_count", Schema.Int)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class DeletedResponse extends Schema.Class<DeletedResponse>("DeletedResponse")({
  deleted: Schema.Literal(true)
}) {}

// --- budgets ---------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export class WorkspaceBudget extends Schema.Class<WorkspaceBudget>("WorkspaceBudget")({
  id: Schema.String,
  workspaceId: wire("workspace_id", Schema.String),
  limitUsd: wire("limit_usd", Schema.Number),
  /** `null` is the lifetime budget. */
  resetInterval: wire("reset_interval", Schema.NullOr(Schema.Literal("daily", "weekly", "monthly"))),
  createdAt: wire("created_at", Schema.String),
  updatedAt: wire("updated_at", Schema.String)
}) {
  /** The interval this budget is addressed by (`lifetime` when `resetInterval` is null). */
  get interval(): BudgetInterval {
    return this.resetInterval ?? "lifetime"
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export class ListWorkspaceBudgetsResponse extends Schema.Class<ListWorkspaceBudgetsResponse>(
  "ListWorkspaceBudgetsResponse"
)({
  data: Schema.Array(WorkspaceBudget),
  includeByokInBudgets: optionalWire("include_byok_in_budgets", Schema.Boolean)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class WorkspaceBudgetResponse extends Schema.Class<WorkspaceBudgetResponse>("WorkspaceBudgetResponse")({
  data: WorkspaceBudget,
  includeByokInBudgets: optionalWire("include_byok_in_budgets", Schema.Boolean)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class UpsertWorkspaceBudgetRequest extends Schema.Class<UpsertWorkspaceBudgetRequest>(
  "UpsertWorkspaceBudgetRequest"
)({
  limitUsd: wire("limit_usd", LimitUsd),
  includeByokInBudgets: optionalWire("include_byok_in_budgets", Schema.Boolean)
}) {}

// --- members ---------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export class WorkspaceMember extends Schema.Class<WorkspaceMember>("WorkspaceMember")({
  id: Schema.String,
  workspaceId: wire("workspace_id", Schema.String),
  userId: wire("user_id", Schema.String),
  role: Schema.Literal("admin", "member"),
  createdAt: wire("created_at", Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class ListWorkspaceMembersResponse extends Schema.Class<ListWorkspaceMembersResponse>(
  "ListWorkspaceMembersResponse"
)({
  data: Schema.Array(WorkspaceMember),
  totalCount: wire("total_count", Schema.Int)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class BulkMembersRequest extends Schema.Class<BulkMembersRequest>("BulkMembersRequest")({
  userIds: wire("user_ids", UserIds)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class BulkAddWorkspaceMembersResponse extends Schema.Class<BulkAddWorkspaceMembersResponse>(
  "BulkAddWorkspaceMembersResponse"
)({
  data: Schema.Array(WorkspaceMember),
  addedCount: wire("added_count", Schema.Int)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class BulkRemoveWorkspaceMembersResponse extends Schema.Class<BulkRemoveWorkspaceMembersResponse>(
  "BulkRemoveWorkspaceMembersResponse"
)({
  removedCount: wire("removed_count", Schema.Int)
}) {}

// --- organization ----------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export class OrganizationMember extends Schema.Class<OrganizationMember>("OrganizationMember")({
  id: Schema.String,
  firstName: wire("first_name", NullableString),
  lastName: wire("last_name", NullableString),
  email: Schema.String,
  role: Schema.Literal("org:admin", "org:member")
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class ListOrganizationMembersResponse extends Schema.Class<ListOrganizationMembersResponse>(
  "ListOrganizationMembersResponse"
)({
  data: Schema.Array(OrganizationMember),
  totalCount: wire("total_count", Schema.Int)
}) {}

// --- errors on the wire ----------------------------------------------------------------------------

/**
 * The body of every documented error response: `{ error: { code, message, metadata? } }`.
 *
 * @since 0.1.0
 * @category models
 */
export class ErrorResponse extends Schema.Class<ErrorResponse>("ErrorResponse")({
  error: Schema.Struct({
    code: Schema.Int,
    message: Schema.String,
    metadata: Schema.optionalWith(Metadata, { exact: true })
  }),
  openrouterMetadata: optionalWire("openrouter_metadata", Metadata),
  userId: optionalWire("user_id", NullableString)
}) {}
