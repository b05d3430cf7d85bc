/**
 * Wire schemas of the observability operations: destinations that receive a workspace's traces
 * (Langfuse, Datadog, S3, a webhook, …): list, create, get, update, delete.
 *
 * A destination's `config` depends on its `type` and is checked by the server. Its credentials
 * (`apiKey`, `secretKey`, `password`, `token`, `licenseKey`, `secretAccessKey`, `sessionToken`, `dsn`) and
 * every custom header value are `Redacted`, in requests (a plain string is refused, without quoting it)
 * and in answers (the API answers them masked, and they stay wrapped all the same).
 *
 * @since 0.1.0
 */
import { Predicate, Redacted, Schema } from "effect"
import { NonEmptyId, optionalWire, pagingQuery, SamplingRate, wire } from "./Domain.ts"
import { Uuid } from "./KeysDomain.ts"

// --- validation rules from the contract ---------------------------------------------------------------

/**
 * @since 0.1.0
 * @category schemas
 */
export const DestinationType = Schema.Literal(
  "arize",
  "braintrust",
  "clickhouse",
  "datadog",
  "grafana",
  "langfuse",
  "langsmith",
  "newrelic",
  "opik",
  "otel-collector",
  "posthog",
  "ramp",
  "s3",
  "sentry",
  "snowflake",
  "weave",
  "webhook"
).annotations({ identifier: "DestinationType" })
/**
 * @since 0.1.0
 * @category models
 */
export type DestinationType = typeof DestinationType.Type

/**
 * The config fields that are credentials, whatever the destination type.
 *
 * @since 0.1.0
 * @category constants
 */
export const credentialFields: ReadonlySet<string> = new Set([
  "apiKey",
  "secretKey",
  "password",
  "token",
  "licenseKey",
  "secretAccessKey",
  "sessionToken",
  "dsn"
])

/**
 * A destination's configuration: credentials and header values `Redacted`, the rest as the type defines it.
 *
 * @since 0.1.0
 * @category models
 */
export type DestinationConfig = { readonly [field: string]: unknown }

const isSecret = (u: unknown) => Redacted.isRedacted(u) && typeof Redacted.value(u as Redacted.Redacted<unknown>) === "string"

const isConfig = (u: unknown): u is DestinationConfig => {
  if (!Predicate.isRecord(u)) return false
  for (const [field, value] of Object.entries(u)) {
    if (credentialFields.has(field) && !isSecret(value)) return false
    if (field === "headers" && !(Predicate.isRecord(value) && Object.values(value).every(isSecret))) return false
  }
  return true
}

const mapConfig = (config: Record<string, unknown>, secret: (value: unknown) => unknown) => {
  const out: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(config)) {
    out[field] = credentialFields.has(field)
      ? secret(value)
      : field === "headers" && Predicate.isRecord(value)
      ? Object.fromEntries(Object.entries(value).map(([name, header]) => [name, secret(header)]))
      : value
  }
  return out
}

/**
 * `config`: on the wire a JSON object with plain strings; here the credentials and header values are
 * `Redacted`. A refusal names the rule, never a value.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DestinationConfigSchema = Schema.transform(
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  Schema.declare(isConfig, {
    identifier: "DestinationConfig",
    message: () =>
      "config must be an object whose credentials (apiKey, secretKey, password, token, licenseKey, secretAccessKey, sessionToken, dsn) and header values are Redacted strings (Redacted.make(…)); values are never shown"
  }),
  {
    strict: false,
    decode: (wire) => mapConfig(wire, (value) => (typeof value === "string" ? Redacted.make(value) : value)),
    encode: (config) => mapConfig(config, (value) => (Redacted.isRedacted(value) ? Redacted.value(value) : value))
  }
)

/**
 * @since 0.1.0
 * @category schemas
 */
export const FilterRuleField = Schema.Literal(
  "model",
  "provider",
  "session_id",
  "user_id",
  "api_key_name",
  "finish_reason",
  "input",
  "output",
  "total_cost",
  "total_tokens",
  "prompt_tokens",
  "completion_tokens"
)
/**
 * @since 0.1.0
 * @category schemas
 */
export const FilterRuleOperator = Schema.Literal(
  "equals",
  "not_equals",
  "contains",
  "not_contains",
  "regex",
  "starts_with",
  "ends_with",
  "gt",
  "lt",
  "gte",
  "lte",
  "exists",
  "not_exists"
)

const rulesConfig = <F extends string, O extends string, L extends string>(
  field: Schema.Schema<F>,
  operator: Schema.Schema<O>,
  logic: Schema.Schema<L>
) =>
  Schema.Struct({
    enabled: Schema.optionalWith(Schema.Boolean, { exact: true }),
    groups: Schema.Array(Schema.Struct({
      logic: Schema.optionalWith(logic, { exact: true }),
      rules: Schema.Array(Schema.Struct({
        field,
        operator,
        value: Schema.optionalWith(Schema.Union(Schema.String, Schema.Number), { exact: true })
      }))
    }))
  })

/**
 * Which events are forwarded (answers: open enums).
 *
 * @since 0.1.0
 * @category schemas
 */
export const FilterRules = rulesConfig(Schema.String, Schema.String, Schema.String)
/**
 * @since 0.1.0
 * @category schemas
 */
export type FilterRules = typeof FilterRules.Type
/**
 * Which events are forwarded (requests: the contract's fields, operators and logic).
 *
 * @since 0.1.0
 * @category schemas
 */
export const FilterRulesInput = rulesConfig(FilterRuleField, FilterRuleOperator, Schema.Literal("and", "or"))

// --- destinations --------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export class Destination extends Schema.Class<Destination>("Destination")({
  id: Schema.String,
  workspaceId: wire("workspace_id", Schema.String),
  /** `langfuse`, `datadog`, … (open: a new type never breaks a listing). */
  type: Schema.String,
  name: Schema.NullOr(Schema.String),
  enabled: Schema.Boolean,
  /** Only metadata is forwarded, never request or response bodies. */
  privacyMode: wire("privacy_mode", Schema.Boolean),
  broadcastGenerationCost: wire("broadcast_generation_cost", Schema.Boolean),
  broadcastGenerationIdentity: wire("broadcast_generation_identity", Schema.Boolean),
  broadcastGenerationRequestContext: wire("broadcast_generation_request_context", Schema.Boolean),
  samplingRate: wire("sampling_rate", Schema.Number),
  /** Whose traffic is forwarded; `null` is every key's. */
  apiKeyHashes: wire("api_key_hashes", Schema.NullOr(Schema.Array(Schema.String))),
  filterRules: wire("filter_rules", Schema.NullOr(FilterRules)),
  config: DestinationConfigSchema,
  createdAt: wire("created_at", Schema.String),
  updatedAt: wire("updated_at", Schema.String)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class ListDestinationsResponse extends Schema.Class<ListDestinationsResponse>("ListDestinationsResponse")({
  data: Schema.Array(Destination),
  totalCount: wire("total_count", Schema.Int)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class DestinationResponse extends Schema.Class<DestinationResponse>("DestinationResponse")({
  data: Destination
}) {}

/**
 * `GET /observability/destinations` query: paging and the workspace (default: the default workspace).
 *
 * @since 0.1.0
 * @category schemas
 */
export const listDestinationsQuery = {
  ...pagingQuery,
  workspaceId: optionalWire("workspace_id", Uuid)
}

const destinationSettings = {
  enabled: Schema.optionalWith(Schema.Boolean, { exact: true }),
  privacyMode: optionalWire("privacy_mode", Schema.Boolean),
  broadcastGenerationCost: optionalWire("broadcast_generation_cost", Schema.Boolean),
  broadcastGenerationIdentity: optionalWire("broadcast_generation_identity", Schema.Boolean),
  broadcastGenerationRequestContext: optionalWire("broadcast_generation_request_context", Schema.Boolean),
  samplingRate: optionalWire("sampling_rate", SamplingRate),
  /** `null`: every key's traffic. */
  apiKeyHashes: optionalWire(
    "api_key_hashes",
    Schema.NullOr(Schema.Array(NonEmptyId).pipe(Schema.minItems(1, { message: () => "apiKeyHashes needs at least one hash, or null for every key" })))
  ),
  /** `null` clears the rules. */
  filterRules: optionalWire("filter_rules", Schema.NullOr(FilterRulesInput))
}

/**
 * @since 0.1.0
 * @category models
 */
export class CreateDestinationRequest extends Schema.Class<CreateDestinationRequest>("CreateDestinationRequest")({
  type: DestinationType,
  name: Schema.String.pipe(Schema.minLength(1, { message: () => "a destination name must not be empty" })),
  config: DestinationConfigSchema,
  /** Default: the default workspace. */
  workspaceId: optionalWire("workspace_id", Uuid),
  ...destinationSettings
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class UpdateDestinationRequest extends Schema.Class<UpdateDestinationRequest>("UpdateDestinationRequest")({
  name: Schema.optionalWith(Schema.String.pipe(Schema.minLength(1, { message: () => "a destination name must not be empty" })), {
    exact: true
  }),
  /** Fields to change; fields left out keep their value, masked values are ignored. */
  config: Schema.optionalWith(DestinationConfigSchema, { exact: true }),
  ...destinationSettings
}) {}
