/**
 * Choosing workspaces for a job: `"all"`, or ids, slugs and globs such as `team-*`. Every name or
 * glob must match something: a typo is an error naming the workspaces that exist, never "nothing"
 * or "everything".
 */
import { Effect, Stream } from "effect"
import picomatch from "picomatch"
import type { Workspace } from "../Domain.ts"
import { InvalidRequestError } from "../Errors.ts"
import { Workspaces } from "../Workspaces.ts"
import type { WorkspaceScope } from "./Specs.ts"

/**
 * A glob (`team-*`, `*.tmp`, `text/*`, `cache-{1,2}`, `[ab]*`) as a predicate, by picomatch. `*` matches
 * any run of characters, `/` and leading dots included: names and MIME types are not paths. A leading
 * `!` is literal, never a negation: `--name '!*.pdf'` must not select every file that is not a PDF.
 */
export const globMatcher = (glob: string): (text: string) => boolean => picomatch(glob, { bash: true, dot: true, nonegate: true })

export const isGlob = (ref: string) => /[*?]/.test(ref)

export interface SelectedWorkspace {
  /** The name or glob given that selected it. */
  readonly ref: string
  readonly id: string
  readonly slug: string
}

export interface WorkspaceSelection {
  readonly selected: ReadonlyArray<SelectedWorkspace>
  /** Exact slugs that do not exist yet (only when `create` is allowed). */
  readonly missing: ReadonlyArray<string>
}

const nameThem = (workspaces: ReadonlyArray<Workspace>) => {
  const slugs = workspaces.map((w) => w.slug).sort()
  return slugs.length === 0
    ? "the organization has no workspaces"
    : `workspaces that exist: ${slugs.slice(0, 20).join(", ")}${slugs.length > 20 ? ` (and ${slugs.length - 20} more)` : ""}`
}

/**
 * Resolve a scope against the server's workspaces (read once). Each name or glob must match at least
 * one workspace; with `create`, an exact slug that matches nothing is returned as missing instead.
 */
export const resolveWorkspaces = (
  operation: string,
  scope: WorkspaceScope,
  options: { readonly create?: boolean } = {}
) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const all = [...yield* Stream.runCollect(workspaces.stream())]
    if (scope === "all") return { selected: all.map((w) => ({ ref: "all", id: w.id, slug: w.slug })), missing: [] }
    const selected = new Map<string, SelectedWorkspace>()
    const missing: Array<string> = []
    const unmatched: Array<string> = []
    for (const ref of scope) {
      const pattern = isGlob(ref) ? globMatcher(ref) : undefined
      const matches = all.filter((w) => pattern ? pattern(w.slug) || pattern(w.id) : w.slug === ref || w.id === ref)
      for (const w of matches) if (!selected.has(w.id)) selected.set(w.id, { ref, id: w.id, slug: w.slug })
      if (matches.length > 0) continue
      if (options.create && !pattern) {
        if (!missing.includes(ref)) missing.push(ref)
      } else unmatched.push(ref)
    }
    if (unmatched.length > 0) {
      return yield* new InvalidRequestError({
        operation,
        issue: `no workspace matches ${unmatched.map((r) => `"${r}"`).join(", ")}; ${nameThem(all)}`
      })
    }
    const result: WorkspaceSelection = { selected: [...selected.values()], missing }
    return result
  })
