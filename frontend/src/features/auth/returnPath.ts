import type { Location } from "react-router";
import { safeNextPath } from "@/lib/safePath";

/** The path (with query and hash) of `location`, as `?next=` and router state carry it. */
export function pathOf(location: Pick<Location, "pathname" | "search" | "hash">): string {
  return `${location.pathname}${location.search}${location.hash}`;
}

/**
 * Where to go after signing in: the page that sent the user to /login (router state `from`, or
 * the `?next=` query parameter, which survives a reload), else home. Only a same-origin path is
 * accepted (`safeNextPath`), so a crafted link cannot make /login an open redirect.
 */
export function returnPath(state: unknown, search = ""): string {
  const from = (state as { from?: Partial<Location> } | null)?.from;
  const candidates = [
    from && typeof from.pathname === "string"
      ? pathOf({ pathname: from.pathname, search: from.search ?? "", hash: from.hash ?? "" })
      : null,
    new URLSearchParams(search).get("next"),
  ];
  for (const candidate of candidates) {
    const path = safeNextPath(candidate);
    if (path && path !== "/login" && !path.startsWith("/login?") && !path.startsWith("/login#")) return path;
  }
  return "/";
}

/** The /login URL that brings the user back to `location` afterwards. */
export function loginPathFor(location: Pick<Location, "pathname" | "search" | "hash">): string {
  const path = pathOf(location);
  return path === "/" || location.pathname === "/login" ? "/login" : `/login?next=${encodeURIComponent(path)}`;
}
