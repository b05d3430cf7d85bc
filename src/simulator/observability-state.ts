/**
 * The simulator's observability destinations (their endpoints: observability.ts).
 *
 * Rules: a destination belongs to a workspace (default: the default one); at most 5 of one type per
 * workspace and names unique within a workspace (both a 409); `config` must carry the fields its type
 * requires (400); an allowlist of API key hashes names existing keys (400); a workspace whose privacy
 * settings are locked refuses turning `privacy_mode` off (403). Credentials are answered masked and
 * kept here only as their SHA-256; an update ignores masked values and keeps fields it does not name.
 */
import { Redacted } from "effect"
import { createHash } from "node:crypto"
import {
  type CreateDestinationRequest,
  credentialFields,
  Destination,
  type DestinationConfig,
  type UpdateDestinationRequest
} from "../ObservabilityDomain.ts"
import { hash, prng, type Random, uuid } from "./random.ts"
import type { OrganizationState } from "./state.ts"

const iso = (ms: number) => new Date(ms).toISOString()
const fingerprint = (secret: string) => createHash("sha256").update(secret).digest("hex")
const mask = (secret: string) => (secret.length > 12 ? `${secret.slice(0, 4)}...${secret.slice(-4)}` : "****")
const isMasked = (value: string) => value === "****" || /^.{4}\.\.\..{4}$/.test(value)

/** The config fields each type requires (from the contract's per-type schemas). */
export const requiredConfig: Record<string, ReadonlyArray<string>> = {
  arize: ["apiKey", "spaceKey", "modelId"],
  braintrust: ["apiKey", "projectId"],
  clickhouse: ["host", "database", "username", "password"],
  datadog: ["apiKey", "mlApp"],
  grafana: ["apiKey", "instanceId"],
  langfuse: ["secretKey", "publicKey"],
  langsmith: ["apiKey"],
  newrelic: ["licenseKey"],
  opik: ["apiKey", "workspace", "projectName"],
  "otel-collector": ["endpoint"],
  posthog: ["apiKey"],
  ramp: ["apiKey"],
  s3: ["bucketName", "accessKeyId", "secretAccessKey"],
  sentry: ["otlpEndpoint", "dsn"],
  snowflake: ["account", "token"],
  weave: ["apiKey", "entity", "project"],
  webhook: ["url"]
}
export const MAX_PER_TYPE = 5

export type Refused = { readonly status: 400 | 403 | 404 | 409; readonly message: string }
export const isRefused = (u: unknown): u is Refused => typeof u === "object" && u !== null && "status" in u && "message" in u

/** A stored destination: as answered (credentials masked), and the SHA-256 of each credential it holds. */
export interface StoredDestination {
  readonly destination: Destination
  /** `field` or `headers.Name` → SHA-256 of the value. */
  readonly fingerprints: ReadonlyMap<string, string>
}

const reveal = (value: unknown) => (Redacted.isRedacted(value) ? String(Redacted.value(value)) : value)

export class ObservabilityState {
  readonly destinations = new Map<string, StoredDestination>()
  /** Workspaces whose privacy settings are locked (privacy mode cannot be turned off there). */
  readonly privacyLocked = new Set<string>()
  private readonly random: Random

  constructor(private readonly org: OrganizationState, seed: string) {
    const random = prng(hash(`observability:${seed}`))
    this.random = random
    const teams = [...org.workspaces.values()].filter((w) => w.id !== org.defaultWorkspaceId)
    if (teams.length > 0) this.privacyLocked.add(teams[teams.length - 1]!.id)
    const at = Date.parse("2025-04-01T00:00:00Z")
    this.create({
      type: "langfuse",
      name: "Production Langfuse",
      config: { baseUrl: "https://us.cloud.langfuse.com", publicKey: "pk-lf-seeded", secretKey: Redacted.make(`sk-lf-${uuid(random)}`) }
    }, at)
  }

  /** Merge `changes` into a stored config: credentials masked and fingerprinted, masked values ignored. */
  private merge(
    previous: { config: Record<string, unknown>; fingerprints: Map<string, string> },
    changes: DestinationConfig
  ) {
    const config = { ...previous.config }
    const fingerprints = new Map(previous.fingerprints)
    for (const [field, value] of Object.entries(changes)) {
      if (credentialFields.has(field)) {
        const plain = String(reveal(value))
        if (isMasked(plain)) continue
        config[field] = mask(plain)
        fingerprints.set(field, fingerprint(plain))
      } else if (field === "headers" && typeof value === "object" && value !== null) {
        const headers = { ...(config.headers as Record<string, string> | undefined) }
        for (const [name, header] of Object.entries(value)) {
          const plain = String(reveal(header))
          if (isMasked(plain)) continue
          headers[name] = mask(plain)
          fingerprints.set(`headers.${name}`, fingerprint(plain))
        }
        config.headers = headers
      } else config[field] = value
    }
    return { config, fingerprints }
  }

  private conflict(workspaceId: string, name: string, except?: string): Refused | undefined {
    for (const { destination } of this.destinations.values()) {
      if (destination.id !== except && destination.workspaceId === workspaceId && destination.name === name) {
        return { status: 409, message: `A destination named "${name}" already exists in this workspace` }
      }
    }
    return undefined
  }

  private unknownKeys(hashes: ReadonlyArray<string> | null | undefined): Refused | undefined {
    const unknown = (hashes ?? []).filter((h) => !this.org.keys.byHash.has(h))
    return unknown.length > 0 ? { status: 400, message: `API keys not found: ${unknown.join(", ")}` } : undefined
  }

  list(workspaceId: string | undefined): ReadonlyArray<Destination> | Refused {
    const id = workspaceId ?? this.org.defaultWorkspaceId
    if (!this.org.workspaces.has(id)) return { status: 400, message: `Workspace ${id} not found` }
    return [...this.destinations.values()].map((d) => d.destination).filter((d) => d.workspaceId === id)
  }

  create(request: CreateDestinationRequest, now = Date.now()): Destination | Refused {
    const workspaceId = request.workspaceId ?? this.org.defaultWorkspaceId
    if (!this.org.workspaces.has(workspaceId)) return { status: 400, message: `Workspace ${workspaceId} not found` }
    const missing = (requiredConfig[request.type] ?? []).filter((field) => request.config[field] === undefined)
    if (missing.length > 0) return { status: 400, message: `config for ${request.type} needs ${missing.join(", ")}` }
    const refused = this.unknownKeys(request.apiKeyHashes)
    if (refused) return refused
    const sameType = [...this.destinations.values()].filter((d) => d.destination.workspaceId === workspaceId && d.destination.type === request.type)
    if (sameType.length >= MAX_PER_TYPE) {
      return { status: 409, message: `A workspace has at most ${MAX_PER_TYPE} ${request.type} destinations` }
    }
    const taken = this.conflict(workspaceId, request.name)
    if (taken) return taken
    const { config, fingerprints } = this.merge({ config: {}, fingerprints: new Map() }, request.config)
    const destination = new Destination({
      id: uuid(this.random),
      workspaceId,
      type: request.type,
      name: request.name,
      enabled: request.enabled ?? true,
      privacyMode: request.privacyMode ?? false,
      broadcastGenerationCost: request.broadcastGenerationCost ?? false,
      broadcastGenerationIdentity: request.broadcastGenerationIdentity ?? false,
      broadcastGenerationRequestContext: request.broadcastGenerationRequestContext ?? false,
      samplingRate: request.samplingRate ?? 1,
      apiKeyHashes: request.apiKeyHashes ?? null,
      filterRules: request.filterRules ?? null,
      config: this.answered(config),
      createdAt: iso(now),
      updatedAt: iso(now)
    }, true)
    this.destinations.set(destination.id, { destination, fingerprints })
    return destination
  }

  /** The stored (masked) config as the domain holds it: credentials wrapped like any answer's. */
  private answered(config: Record<string, unknown>): DestinationConfig {
    const out: Record<string, unknown> = {}
    for (const [field, value] of Object.entries(config)) {
      out[field] = credentialFields.has(field)
        ? Redacted.make(String(value))
        : field === "headers"
        ? Object.fromEntries(Object.entries(value as Record<string, string>).map(([n, v]) => [n, Redacted.make(v)]))
        : value
    }
    return out
  }

  /** The stored config with plain (masked) strings. */
  private plain(config: DestinationConfig): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const [field, value] of Object.entries(config)) {
      out[field] = field === "headers"
        ? Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([n, v]) => [n, reveal(v)]))
        : reveal(value)
    }
    return out
  }

  get(id: string): Destination | Refused {
    return this.destinations.get(id)?.destination ?? { status: 404, message: "Destination not found" }
  }

  update(id: string, changes: UpdateDestinationRequest, now = Date.now()): Destination | Refused {
    const stored = this.destinations.get(id)
    if (!stored) return { status: 404, message: "Destination not found" }
    const previous = stored.destination
    if (changes.privacyMode === false && previous.privacyMode && this.privacyLocked.has(previous.workspaceId)) {
      return { status: 403, message: "Privacy settings are locked for this workspace" }
    }
    if (changes.name !== undefined) {
      const taken = this.conflict(previous.workspaceId, changes.name, id)
      if (taken) return taken
    }
    const refused = this.unknownKeys(changes.apiKeyHashes)
    if (refused) return refused
    const { config: configChanges, ...rest } = changes
    const merged = configChanges === undefined
      ? { config: this.plain(previous.config), fingerprints: new Map(stored.fingerprints) }
      : this.merge({ config: this.plain(previous.config), fingerprints: new Map(stored.fingerprints) }, configChanges)
    const destination = new Destination({ ...previous, ...rest, config: this.answered(merged.config), updatedAt: iso(now) }, true)
    this.destinations.set(id, { destination, fingerprints: merged.fingerprints })
    return destination
  }

  delete(id: string): true | Refused {
    return this.destinations.delete(id) ? true : { status: 404, message: "Destination not found" }
  }
}
