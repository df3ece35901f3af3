import type { ProvisionListQuery } from "./types";

export const provisionKeys = {
  all: ["provisioning"] as const,
  lists: () => [...provisionKeys.all, "list"] as const,
  list: (query: ProvisionListQuery) => [...provisionKeys.lists(), query] as const,
  detail: (id: number) => [...provisionKeys.all, "detail", id] as const,
  dashboards: () => [...provisionKeys.all, "dashboard"] as const,
  dashboard: (hours: number) => [...provisionKeys.dashboards(), hours] as const,
  recentEvents: (limit: number) => [...provisionKeys.all, "recent-events", limit] as const,
};
