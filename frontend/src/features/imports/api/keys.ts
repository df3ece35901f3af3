import type { ImportListQuery } from "./types";

export const importKeys = {
  all: ["imports"] as const,
  lists: () => [...importKeys.all, "list"] as const,
  list: (query: ImportListQuery) => [...importKeys.lists(), query] as const,
  detail: (id: number) => [...importKeys.all, "detail", id] as const,
};
