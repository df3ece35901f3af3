import type { InventoryListQuery } from "./types";

export const inventoryKeys = {
  all: ["inventory"] as const,
  stock: () => [...inventoryKeys.all, "stock"] as const,
  templates: () => [...inventoryKeys.all, "templates", "all"] as const,
  template: (id: number) => [...inventoryKeys.all, "templates", "detail", id] as const,
  lists: () => [...inventoryKeys.all, "list"] as const,
  list: (query: InventoryListQuery) => [...inventoryKeys.lists(), query] as const,
  detail: (id: number) => [...inventoryKeys.all, "detail", id] as const,
};
