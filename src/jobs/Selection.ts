/** Choosing workspaces for a job: "all", or ids, slugs and glob patterns such as `team-*`. */
import { Stream } from "effect"
import { Workspaces } from "../Workspaces.ts"

/** A glob (`*`, `?`) as a RegExp. */
export const globToRegExp = (glob: string) =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`)

export type WorkspaceScope = "all" | ReadonlyArray<string>

/** The selected workspaces, streamed. */
export const selectWorkspaces = (scope: WorkspaceScope = "all") => {
  const patterns = scope === "all" ? [] : scope.map(globToRegExp)
  return Stream.flatMap(Stream.fromEffect(Workspaces), (workspaces) =>
    Stream.filter(workspaces.stream(), (w) => scope === "all" || patterns.some((p) => p.test(w.slug) || p.test(w.id))))
}
