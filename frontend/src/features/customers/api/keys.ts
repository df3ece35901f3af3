import type { CustomerListQuery } from "@/api";

export const customerKeys = {
  all: ["customers"] as const,
  lists: () => [...customerKeys.all, "list"] as const,
  list: (query: CustomerListQuery) => [...customerKeys.lists(), query] as const,
  detail: (customerId: number) => [...customerKeys.all, "detail", customerId] as const,
  contacts: (customerId: number) => [...customerKeys.all, "contacts", customerId] as const,
  sites: (customerId: number) => [...customerKeys.all, "sites", customerId] as const,
  defaults: () => [...customerKeys.all, "defaults"] as const,
};
