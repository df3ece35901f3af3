import type { ServiceListQuery } from "./types";

export const serviceKeys = {
  all: ["services"] as const,
  lists: () => [...serviceKeys.all, "list"] as const,
  list: (query: ServiceListQuery) => [...serviceKeys.lists(), query] as const,
  detail: (id: number) => [...serviceKeys.all, "detail", id] as const,
};
