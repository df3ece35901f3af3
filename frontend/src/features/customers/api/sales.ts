/**
 * What a customer bought: their contracts (read here, from the contracts API, because the
 * contracts feature imports this one) and the operator's defaults for a new customer.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrap, unwrapPage, type QueryOf } from "@/api";
import { customerKeys } from "./keys";

type ContractListQuery = QueryOf<"/crm/contract/", "get">;

/**
 * One page of a customer's contracts. The key sits under the contracts feature's list keys
 * (["contracts", "list", …]), so a sale or a contract action refreshes this tab too.
 */
export function useCustomerContracts(customerId: number, page: number, pageSize: number, enabled = true) {
  const query: ContractListQuery = { customer_id: customerId, page, page_size: pageSize, sort: "-created_at" };
  return useQuery({
    queryKey: ["contracts", "list", query] as const,
    enabled,
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/contract/", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

/** What a customer created without them gets: the operator's DEFAULT_CURRENCY and phone region. */
export function useCustomerDefaults(enabled = true) {
  return useQuery({
    queryKey: customerKeys.defaults(),
    enabled,
    queryFn: ({ signal }) => unwrap(api.GET("/crm/customer/defaults", { signal })),
    staleTime: 10 * 60_000,
  });
}
