import type { ContractListQuery } from "./types";

export const contractKeys = {
  all: ["contracts"] as const,
  lists: () => [...contractKeys.all, "list"] as const,
  list: (query: ContractListQuery) => [...contractKeys.lists(), query] as const,
  detail: (id: number) => [...contractKeys.all, "detail", id] as const,
};
