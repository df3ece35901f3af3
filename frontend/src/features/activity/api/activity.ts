/** The append-only audit log: everything, or one customer's history. */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api, unwrapPage, type ActivityListQuery } from "@/api";

export const activityKeys = {
  all: ["activity"] as const,
  list: (query: ActivityListQuery) => [...activityKeys.all, "list", query] as const,
  customer: (customerId: number, page: number) => [...activityKeys.all, "customer", customerId, page] as const,
};

export function useActivity(query: ActivityListQuery) {
  return useQuery({
    queryKey: activityKeys.list(query),
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/activity/", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useCustomerActivity(customerId: number, page: number, pageSize = 20) {
  return useQuery({
    queryKey: activityKeys.customer(customerId, page),
    queryFn: ({ signal }) =>
      unwrapPage(
        api.GET("/crm/customer/{customer_id}/activity", {
          params: { path: { customer_id: customerId }, query: { page, page_size: pageSize } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}
