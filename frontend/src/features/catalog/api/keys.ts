import type { ProductListQuery } from "./types";

export const productKeys = {
  all: ["products"] as const,
  lists: () => [...productKeys.all, "list"] as const,
  list: (query: ProductListQuery) => [...productKeys.lists(), query] as const,
  detail: (productId: number) => [...productKeys.all, "detail", productId] as const,
  templateNames: () => ["inventory", "templates", "names"] as const,
};
