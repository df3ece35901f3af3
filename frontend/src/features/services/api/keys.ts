import type { LedgerQuery, ServiceListQuery, UsageQuery } from "./types";

export const serviceKeys = {
  all: ["services"] as const,
  lists: () => [...serviceKeys.all, "list"] as const,
  list: (query: ServiceListQuery) => [...serviceKeys.lists(), query] as const,
  detail: (id: number) => [...serviceKeys.all, "detail", id] as const,
  /** Everything a top-up changes: the balances and every page of the ledger. */
  charging: (id: number) => [...serviceKeys.all, "charging", id] as const,
  balances: (id: number) => [...serviceKeys.charging(id), "balances"] as const,
  ledger: (id: number, query: LedgerQuery) => [...serviceKeys.charging(id), "ledger", query] as const,
  usage: (id: number, query: UsageQuery) => [...serviceKeys.charging(id), "usage", query] as const,
};
