/**
 * The board's filters, kept in the URL (`useUrlParams`), and the "saved views": named filter
 * sets a user keeps in this browser's localStorage (per user) and picks again.
 */
import { useCallback, useState } from "react";
import { useSession } from "@/api";

export const BOARD_FILTERS = ["assignee", "team", "priority", "tag", "breached", "customer_id"] as const;
export type BoardFilterKey = (typeof BOARD_FILTERS)[number];
/** Every filter as the URL holds it ("" when not set). */
export type BoardFilters = Record<BoardFilterKey, string>;

export interface SavedView {
  name: string;
  /** The filters that were set (the others blank). */
  filters: Partial<BoardFilters>;
}

export const MAX_VIEW_NAME = 40;

export const viewsStorageKey = (userId: number | null) => `omnicrm.ticket-views.${userId ?? "anonymous"}`;

/** Only the filters that are set, and only known ones: what a view keeps and compares. */
export function setFilters(filters: Partial<Record<string, unknown>>): Partial<BoardFilters> {
  return Object.fromEntries(
    BOARD_FILTERS.flatMap((key) => {
      const value = filters[key];
      return typeof value === "string" && value !== "" ? [[key, value]] : [];
    }),
  );
}

/** Whether two filter sets ask for the same tickets. */
export function sameFilters(a: Partial<BoardFilters>, b: Partial<BoardFilters>): boolean {
  const left = setFilters(a);
  const right = setFilters(b);
  return BOARD_FILTERS.every((key) => (left[key] ?? "") === (right[key] ?? ""));
}

export function readViews(userId: number | null): SavedView[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(viewsStorageKey(userId)) ?? "[]");
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((v) =>
      v && typeof v === "object" && typeof v.name === "string" && v.filters && typeof v.filters === "object"
        ? [{ name: v.name, filters: setFilters(v.filters as Record<string, unknown>) }]
        : [],
    );
  } catch {
    return [];
  }
}

function writeViews(userId: number | null, views: SavedView[]): void {
  try {
    localStorage.setItem(viewsStorageKey(userId), JSON.stringify(views));
  } catch {
    // Storage full or refused (private mode): the views last as long as the page.
  }
}

/** The signed-in user's saved views: save one (a name in use is replaced), remove one. */
export function useSavedViews() {
  const userId = useSession((s) => s.user?.id ?? null);
  const [views, setViews] = useState(() => readViews(userId));
  const update = useCallback(
    (change: (current: SavedView[]) => SavedView[]) =>
      setViews((current) => {
        const next = change(current);
        writeViews(userId, next);
        return next;
      }),
    [userId],
  );
  const save = useCallback(
    (name: string, filters: Partial<BoardFilters>) =>
      update((current) =>
        [...current.filter((v) => v.name !== name), { name, filters: setFilters(filters) }].sort((a, b) =>
          a.name.localeCompare(b.name),
        ),
      ),
    [update],
  );
  const remove = useCallback((name: string) => update((current) => current.filter((v) => v.name !== name)), [update]);
  return { views, save, remove };
}
