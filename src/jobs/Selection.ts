/**
 * Choosing workspaces for a job: `"all"`, or selectors. A selector is an exact id, an exact slug, or a
 * glob (`team-*`, `Eng*`) over slugs and names — never over ids, whose random letters would match by
 * accident. Every selector must match something: a typo is an error naming the workspaces that exist,
 * never "nothing" or "everything".
 *
 * @since 0.1.0
 */
import { Effect, Either, Stream } from "effect"
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

/**
 * Does the text use glob syntax (`*`, `?`, `[…]`, `{…}`)? Anything else is matched exactly.
 *
 * @since 0.1.0
 * @category selection
 */
export const isGlob = (ref: string) => picomatch.scan(ref).isGlob

/**
 * @since 0.1.0
 * @category models
 */
export interface SelectedWorkspace {
  /** The selector given that selected it. */
  readonly ref: string
  readonly id: string
  readonly slug: string
  readonly name: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface WorkspaceSelection {
  readonly selected: ReadonlyArray<SelectedWorkspace>
  /** Exact slugs that do not exist yet (only when `create` is allowed). */
  readonly missing: ReadonlyArray<string>
}

type Listed = Pick<Workspace, "id" | "slug" | "name">

const nameThem = (workspaces: ReadonlyArray<Listed>) => {
  const slugs = workspaces.map((w) => w.slug).sort()
  return slugs.length === 0
    ? "the organisation has no workspaces"
    : `workspaces that exist: ${slugs.slice(0, 20).join(", ")}${slugs.length > 20 ? ` (and ${slugs.length - 20} more)` : ""}`
}

/**
 * The workspaces one selector matches: an exact id or slug, or (a glob) every workspace whose slug or
 * name it matches.
 *
 * @since 0.1.0
 * @category selection
 */
export const matching = <W extends Listed>(all: ReadonlyArray<W>, ref: string): ReadonlyArray<W> => {
  if (!isGlob(ref)) return all.filter((w) => w.id === ref || w.slug === ref)
  const pattern = globMatcher(ref)
  return all.filter((w) => pattern(w.slug) || pattern(w.name))
}

/**
 * Resolve a scope against a list of workspaces (pure). Each selector must match at least one
 * workspace; with `create`, an exact slug that matches nothing is returned as missing instead.
 *
 * @since 0.1.0
 * @category selection
 */
export const select = (
  operation: string,
  all: ReadonlyArray<Listed>,
  scope: WorkspaceScope,
  options: { readonly create?: boolean } = {}
): Either.Either<WorkspaceSelection, InvalidRequestError> => {
  const entry = (ref: string, w: Listed): SelectedWorkspace => ({ ref, id: w.id, slug: w.slug, name: w.name })
  if (scope === "all") return Either.right({ selected: all.map((w) => entry("all", w)), missing: [] })
  const selected = new Map<string, SelectedWorkspace>()
  const missing: Array<string> = []
  const unmatched: Array<string> = []
  for (const ref of scope) {
    const matches = matching(all, ref)
    for (const w of matches) if (!selected.has(w.id)) selected.set(w.id, entry(ref, w))
    if (matches.length > 0) continue
    if (options.create && !isGlob(ref)) {
      if (!missing.includes(ref)) missing.push(ref)
    } else unmatched.push(ref)
  }
  if (unmatched.length > 0) {
    // a workspace's name given where a slug is expected: say which slug it has
    const byName = unmatched.flatMap((ref) => {
      const named = all.find((w) => w.name.toLowerCase() === ref.toLowerCase())
      return named ? [`"${ref}" is the name of ${named.slug}: give its slug, or a glob`] : []
    })
    return Either.left(
      new InvalidRequestError({
        operation,
        issue: `no workspace matches ${unmatched.map((r) => `"${r}"`).join(", ")} (an id, a slug, or a glob over slugs and names)` +
          `; ${[...byName, nameThem(all)].join("; ")}`
      })
    )
  }
  return Either.right({ selected: [...selected.values()], missing })
}

/**
 * Resolve a scope against the server's workspaces (read once); see {@link select}.
 *
 * @since 0.1.0
 * @category selection
 */
export const resolveWorkspaces = (
  operation: string,
  scope: WorkspaceScope,
  options: { readonly create?: boolean } = {}
) =>
  Effect.gen(function*() {
    const workspaces = yield* Workspaces
    const all = [...yield* Stream.runCollect(workspaces.stream())]
    return yield* select(operation, all, scope, options)
  })
