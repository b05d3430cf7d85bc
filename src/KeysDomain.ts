/**
 * Wire schemas of the API key operations (`GET /key`, `/keys` list, create, get, update, delete).
 *
 * As in `Domain.ts`: each class is the camelCase domain type over the snake_case JSON of the contract;
 * decoding ignores unknown fields and accepts documented nulls. The plaintext key returned once by
 * create decodes to `Redacted<string>`, so it prints as `<redacted>` wherever it goes.
 *
 * @since 0.1.0
 */
import { Redacted, Schema } from "effect"
import { BooleanParam, NonEmptyId, OffsetParam, optionalWire, SpendingLimit, wire } from "./Domain.ts"

// --- validation rules from the contract ---------------------------------------------------------------

/**
 * An id the contract documents as `format: uuid` (workspaces, guardrails).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Uuid = Schema.UUID.annotations({ message: () => "expected a UUID, e.g. 0df9e665-d932-5740-b2c7-b52af166bc11" })

/**
 * How a key's limit resets; `null` (in the request fields) means never.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LimitReset = Schema.Literal("daily", "weekly", "monthly")
/**
 * @since 0.1.0
 * @category models
 */
export type LimitReset = typeof LimitReset.Type

const isoUtcDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|\+00:00)$/

const isCalendarDate = (text: string) => {
  const parsed = Date.parse(text)
  return !Number.isNaN(parsed) && new Date(parsed).toISOString().slice(0, 19) === text.slice(0, 19)
}

/**
 * An ISO 8601 date-time with seconds, in UTC (the API rejects other time zones).
 *
 * @since 0.1.0
 * @category schemas
 */
export const UtcDateTime = Schema.String.pipe(
  // a real calendar check: Date.parse rolls 2027-02-30 over to March 2, so the date must come back as written
  Schema.filter((text) => isoUtcDateTime.test(text) && isCalendarDate(text), {
    message: () => "expected a real ISO 8601 UTC date-time with seconds, e.g. \"2027-12-31T23:59:59Z\""
  })
).annotations({ identifier: "UtcDateTime" })

/**
 * @since 0.1.0
 * @category schemas
 */
export const KeyName = Schema.String.pipe(Schema.minLength(1, { message: () => "a key name must not be empty" }))

/**
 * A key's hash: how every other operation addresses it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const KeyHash = NonEmptyId

/**
 * A secret the caller hands over (a provider key, a destination's credential): `Redacted` in the
 * domain, the plain string on the wire. Its checks never quote the value, so a wrong one cannot leak
 * into an `InvalidRequestError` (a plain string is refused: wrap it with `Redacted.make`).
 *
 * @since 0.1.0
 * @category utils
 */
export const secretInput = (minLength = 1) => {
  const rule = `must be a Redacted string (Redacted.make(…)) of at least ${minLength} character${
    minLength === 1 ? "" : "s"
  }; the value is never shown`
  const Self = Schema.declare(
    (u): u is Redacted.Redacted<string> => {
      if (!Redacted.isRedacted(u)) return false
      const value: unknown = Redacted.value(u)
      return typeof value === "string" && value.length >= minLength
    },
    { identifier: "Secret", message: () => rule }
  )
  return Schema.transform(Schema.String, Self, {
    strict: true,
    decode: (text) => Redacted.make(text),
    encode: (secret) => Redacted.value(secret)
  })
}

/**
 * The data regions a request may be served from (open in answers: a new region never breaks a listing).
 *
 * @since 0.1.0
 * @category schemas
 */
export const DataRegion = Schema.Literal("global", "europe", "us")
/**
 * @since 0.1.0
 * @category models
 */
export type DataRegion = typeof DataRegion.Type

// --- keys ------------------------------------------------------------------------------------------

/** Usage in USD, total and per UTC day/week/month, OpenRouter credits and BYOK. */
const usageFields = {
  usage: Schema.Number,
  usageDaily: wire("usage_daily", Schema.Number),
  usageWeekly: wire("usage_weekly", Schema.Number),
  usageMonthly: wire("usage_monthly", Schema.Number),
  byokUsage: wire("byok_usage", Schema.Number),
  byokUsageDaily: wire("byok_usage_daily", Schema.Number),
  byokUsageWeekly: wire("byok_usage_weekly", Schema.Number),
  byokUsageMonthly: wire("byok_usage_monthly", Schema.Number)
}

/** The limit of a key: `null` is no limit; `limitReset` is a plain string here so a new interval never breaks a listing. */
const limitFields = {
  label: Schema.String,
  limit: Schema.NullOr(Schema.Number),
  limitRemaining: wire("limit_remaining", Schema.NullOr(Schema.Number)),
  limitReset: wire("limit_reset", Schema.NullOr(Schema.String)),
  includeByokInLimit: wire("include_byok_in_limit", Schema.Boolean),
  creatorUserId: wire("creator_user_id", Schema.NullOr(Schema.String)),
  /** `null` or absent: the key never expires. */
  expiresAt: optionalWire("expires_at", Schema.NullOr(Schema.String)),
  ...usageFields
}

/**
 * @since 0.1.0
 * @category models
 */
export class ApiKey extends Schema.Class<ApiKey>("ApiKey")({
  hash: Schema.String,
  name: Schema.String,
  disabled: Schema.Boolean,
  workspaceId: wire("workspace_id", Schema.String),
  createdAt: wire("created_at", Schema.String),
  updatedAt: wire("updated_at", Schema.NullOr(Schema.String)),
  /** The external (end) user the key was created for, if any. */
  externalUser: optionalWire("external_user", Schema.NullOr(Schema.String)),
  ...limitFields
}) {
  /**
   * Has the key expired at `now` (epoch ms)? A key without `expiresAt` never does.
   *
   * @since 0.1.0
   */
  isExpiredAt(now: number): boolean {
    return this.expiresAt != null && Date.parse(this.expiresAt) <= now
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export class ListKeysResponse extends Schema.Class<ListKeysResponse>("ListKeysResponse")({
  data: Schema.Array(ApiKey)
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class KeyResponse extends Schema.Class<KeyResponse>("KeyResponse")({
  data: ApiKey
}) {}

/**
 * What create answers: the key's metadata and, this once, the secret itself.
 *
 * @since 0.1.0
 * @category models
 */
export class CreateKeyResponse extends Schema.Class<CreateKeyResponse>("CreateKeyResponse")({
  data: ApiKey,
  /** The plaintext key: `Redacted`, so it is never printed, logged or serialised by accident. */
  key: Schema.Redacted(Schema.String)
}) {}

/**
 * `GET /keys` query: the API has no `limit` and no total; pages run until an empty one.
 *
 * @since 0.1.0
 * @category schemas
 */
export const listKeysQuery = {
  workspaceId: optionalWire("workspace_id", Uuid),
  includeDisabled: optionalWire("include_disabled", BooleanParam),
  offset: optionalWire("offset", OffsetParam)
}

/**
 * @since 0.1.0
 * @category models
 */
export class CreateKeyRequest extends Schema.Class<CreateKeyRequest>("CreateKeyRequest")({
  name: KeyName,
  /** Default: the default workspace. */
  workspaceId: optionalWire("workspace_id", Uuid),
  /** The member the key is created for (organisation keys). */
  creatorUserId: optionalWire("creator_user_id", Schema.NullOr(NonEmptyId)),
  /** USD; `null` is no limit. */
  limit: Schema.optionalWith(Schema.NullOr(SpendingLimit), { exact: true }),
  limitReset: optionalWire("limit_reset", Schema.NullOr(LimitReset)),
  includeByokInLimit: optionalWire("include_byok_in_limit", Schema.Boolean),
  expiresAt: optionalWire("expires_at", Schema.NullOr(UtcDateTime)),
  /**
   * Create the key on behalf of an external (end) user; `apiKey`, if given, is an existing secret (at
   * least 32 characters) that becomes the key: stored as its SHA-256, never returned.
   */
  external: Schema.optionalWith(
    Schema.Struct({
      user: NonEmptyId,
      apiKey: optionalWire("api_key", secretInput(32))
    }),
    { exact: true }
  )
}) {}

/**
 * The contract puts no length rule on a new name, so none is added here.
 *
 * @since 0.1.0
 * @category models
 */
export class UpdateKeyRequest extends Schema.Class<UpdateKeyRequest>("UpdateKeyRequest")({
  name: Schema.optionalWith(Schema.String, { exact: true }),
  disabled: Schema.optionalWith(Schema.Boolean, { exact: true }),
  limit: Schema.optionalWith(Schema.NullOr(SpendingLimit), { exact: true }),
  limitReset: optionalWire("limit_reset", Schema.NullOr(LimitReset)),
  includeByokInLimit: optionalWire("include_byok_in_limit", Schema.Boolean)
}) {}

// --- the key in use (`GET /key`) ---------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export class CurrentKey extends Schema.Class<CurrentKey>("CurrentKey")({
  /** Only a management key can call the management API. */
  isManagementKey: wire("is_management_key", Schema.Boolean),
  isFreeTier: wire("is_free_tier", Schema.Boolean),
  /** Deprecated alias of `isManagementKey`. */
  isProvisioningKey: optionalWire("is_provisioning_key", Schema.Boolean),
  /** Deprecated, always -1 in practice; kept only so it is not lost. */
  rateLimit: optionalWire(
    "rate_limit",
    Schema.Struct({ requests: Schema.Number, interval: Schema.String, note: Schema.String })
  ),
  /** The data regions this key may use (after its guardrails). */
  allowedDataRegions: optionalWire("allowed_data_regions", Schema.Array(Schema.String)),
  /** Free-model requests today (reset at UTC midnight). */
  freeModelDailyRequests: optionalWire(
    "free_model_daily_requests",
    Schema.Struct({ limit: Schema.Number, remaining: Schema.Number, used: Schema.Number })
  ),
  /** The organisation owning the key. */
  organizationId: optionalWire("organization_id", Schema.NullOr(Schema.String)),
  /** The key's workspace; `null` when that workspace was deleted. */
  workspaceId: optionalWire("workspace_id", Schema.NullOr(Schema.String)),
  ...limitFields
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export class CurrentKeyResponse extends Schema.Class<CurrentKeyResponse>("CurrentKeyResponse")({
  data: CurrentKey
}) {}
