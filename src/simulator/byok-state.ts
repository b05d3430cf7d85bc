/**
 * The simulator's BYOK credentials (their endpoints: byok.ts).
 *
 * Rules (from the contract): a credential belongs to a workspace (default: the default one) or is
 * global (`workspace_id: null`); the key is write-only (kept here only as its SHA-256 and a masked
 * label); credentials of one provider are tried in `sort_order`; an allowlist of API key hashes names
 * existing keys; a deleted credential is gone (404).
 */
import { Redacted } from "effect"
import { createHash } from "node:crypto"
import { ByokKey, type CreateByokKeyRequest, type UpdateByokKeyRequest } from "../ByokDomain.ts"
import { hash, prng, type Random, uuid } from "./random.ts"
import type { OrganizationState } from "./state.ts"

const iso = (ms: number) => new Date(ms).toISOString()
const fingerprint = (key: string) => createHash("sha256").update(key).digest("hex")
/** The API's masked snippet: the first three and the last four characters. */
const labelOf = (key: string) => key.length > 10 ? `${key.slice(0, 3)}...${key.slice(-4)}` : "..."

/** A stored credential: the API's shape plus the SHA-256 of the key (the key itself is never kept). */
export interface StoredCredential {
  readonly key: ByokKey
  readonly fingerprint: string
}

export type Refused = { readonly status: 400 | 404; readonly message: string }

export const isRefused = (u: unknown): u is Refused => typeof u === "object" && u !== null && "status" in u && "message" in u

export class ByokState {
  readonly credentials = new Map<string, StoredCredential>()
  private readonly random: Random

  constructor(private readonly org: OrganizationState, seed: string) {
    const random = prng(hash(`byok:${seed}`))
    this.random = random
    const epoch = Date.parse("2025-03-01T00:00:00Z")
    const workspaces = [...org.workspaces.values()]
    const seeded: Array<[string, string | null, string]> = [
      ["openai", org.defaultWorkspaceId, "Production OpenAI"],
      ["anthropic", org.defaultWorkspaceId, "Production Anthropic"],
      ["openai", null, "Shared OpenAI fallback"],
      ["google-vertex", workspaces[1]?.id ?? org.defaultWorkspaceId, "Vertex (team)"]
    ]
    seeded.forEach(([provider, workspaceId, name], i) => {
      const secret = `sk-seed-${uuid(random)}`
      this.put({ provider, workspaceId, name, isFallback: workspaceId === null, at: epoch + i * 86_400_000 }, secret)
    })
  }

  private put(
    made: {
      readonly provider: string
      readonly workspaceId: string | null
      readonly name: string | null
      readonly at: number
    } & Partial<Omit<CreateByokKeyRequest, "provider" | "workspaceId" | "name" | "key">>,
    secret: string
  ) {
    const sortOrder = [...this.credentials.values()].filter((c) => c.key.provider === made.provider && c.key.workspaceId === made.workspaceId).length
    const key = new ByokKey({
      id: uuid(this.random),
      provider: made.provider,
      workspaceId: made.workspaceId,
      name: made.name,
      label: labelOf(secret),
      disabled: made.disabled ?? false,
      isFallback: made.isFallback ?? false,
      allowedModels: made.allowedModels ?? null,
      allowedApiKeyHashes: made.allowedApiKeyHashes ?? null,
      allowedUserIds: made.allowedUserIds ?? null,
      sortOrder,
      createdAt: iso(made.at)
    }, true)
    this.credentials.set(key.id, { key, fingerprint: fingerprint(secret) })
    return key
  }

  /** The workspace a request names, or the default one; a 400 for one that does not exist. */
  private workspaceOf(workspaceId: string | undefined): string | Refused {
    if (workspaceId === undefined) return this.org.defaultWorkspaceId
    return this.org.workspaces.has(workspaceId) ? workspaceId : { status: 400, message: `Workspace ${workspaceId} not found` }
  }

  private unknownKeys(hashes: ReadonlyArray<string> | null | undefined): Refused | undefined {
    const unknown = (hashes ?? []).filter((h) => !this.org.keys.byHash.has(h))
    return unknown.length > 0 ? { status: 400, message: `API keys not found: ${unknown.join(", ")}` } : undefined
  }

  list(query: { workspaceId?: string; provider?: string }): ReadonlyArray<ByokKey> | Refused {
    const workspaceId = this.workspaceOf(query.workspaceId)
    if (typeof workspaceId !== "string") return workspaceId
    return [...this.credentials.values()].map((c) => c.key).filter((key) =>
      key.workspaceId === workspaceId && (query.provider === undefined || key.provider === query.provider)
    )
  }

  create(request: CreateByokKeyRequest, now = Date.now()): ByokKey | Refused {
    const workspaceId = this.workspaceOf(request.workspaceId)
    if (typeof workspaceId !== "string") return workspaceId
    const refused = this.unknownKeys(request.allowedApiKeyHashes)
    if (refused) return refused
    const { key, provider, workspaceId: _, name, ...rest } = request
    return this.put({ ...rest, provider, workspaceId, name: name ?? null, at: now }, Redacted.value(key))
  }

  get(id: string): ByokKey | Refused {
    return this.credentials.get(id)?.key ?? { status: 404, message: "BYOK credential not found" }
  }

  update(id: string, changes: UpdateByokKeyRequest): ByokKey | Refused {
    const stored = this.credentials.get(id)
    if (!stored) return { status: 404, message: "BYOK credential not found" }
    const refused = this.unknownKeys(changes.allowedApiKeyHashes)
    if (refused) return refused
    const { key: secret, ...rest } = changes
    // a new key overwrites the old material in place: a new fingerprint and label, the same id
    const key = new ByokKey({ ...stored.key, ...rest, ...(secret ? { label: labelOf(Redacted.value(secret)) } : {}) }, true)
    this.credentials.set(id, { key, fingerprint: secret ? fingerprint(Redacted.value(secret)) : stored.fingerprint })
    return key
  }

  delete(id: string): true | Refused {
    return this.credentials.delete(id) ? true : { status: 404, message: "BYOK credential not found" }
  }
}
