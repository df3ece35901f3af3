/** Customers: list, read, create, update, archive, export. */
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  api,
  toApiError,
  unwrap,
  unwrapPage,
  type Customer,
  type CustomerCreate,
  type CustomerListQuery,
  type CustomerUpdate,
} from "@/api";
import { filenameFromResponse, saveBlob } from "@/lib/download";
import { customerKeys } from "./keys";

export function useCustomers(query: CustomerListQuery, enabled = true) {
  return useQuery({
    queryKey: customerKeys.list(query),
    enabled,
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/customer/", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

const customerQuery = (customerId: number) => ({
  queryKey: customerKeys.detail(customerId),
  queryFn: ({ signal }: { signal: AbortSignal }) =>
    unwrap(api.GET("/crm/customer/{customer_id}", { params: { path: { customer_id: customerId } }, signal })),
});

export function useCustomer(customerId: number, enabled = true) {
  return useQuery({ ...customerQuery(customerId), enabled });
}

/**
 * The names of several customers by id, for rows that carry only a `customer_id` (tickets):
 * one request per customer, cached with the customer's page. An id not (yet) read is absent.
 */
export function useCustomerNames(customerIds: readonly number[], enabled = true): ReadonlyMap<number, string> {
  const ids = [...new Set(customerIds)].sort((a, b) => a - b);
  return useQueries({
    queries: ids.map((id) => ({ ...customerQuery(id), enabled, staleTime: 5 * 60_000 })),
    combine: (results) => new Map(results.flatMap((r, i) => (r.data ? [[ids[i], r.data.customer_name] as const] : []))),
  });
}

export function useCreateCustomer() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CustomerCreate) => unwrap(api.POST("/crm/customer/", { body })),
    onSuccess: (customer) => {
      queryClient.setQueryData(customerKeys.detail(customer.customer_id), customer);
      return queryClient.invalidateQueries({ queryKey: customerKeys.lists() });
    },
  });
}

export function useUpdateCustomer(customerId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CustomerUpdate) =>
      unwrap(api.PATCH("/crm/customer/{customer_id}", { params: { path: { customer_id: customerId } }, body })),
    onSuccess: (customer: Customer) => {
      queryClient.setQueryData(customerKeys.detail(customerId), customer);
      return queryClient.invalidateQueries({ queryKey: customerKeys.lists() });
    },
  });
}

/** DELETE archives: the customer stays, with status Archived. */
export function useArchiveCustomer(customerId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.DELETE("/crm/customer/{customer_id}", { params: { path: { customer_id: customerId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: customerKeys.all }),
  });
}

export type ExportFormat = "csv" | "xlsx";
export type CustomerFilters = Omit<CustomerListQuery, "page" | "page_size">;

/** Download the customers matching `filters` as a spreadsheet. */
export async function exportCustomers(format: ExportFormat, filters: CustomerFilters): Promise<void> {
  const { data, error, response } = await api.GET("/crm/customer/export", {
    params: { query: { ...filters, format } },
    parseAs: "blob",
  });
  if (!response.ok || !data) throw toApiError(error, response);
  const today = new Date().toISOString().slice(0, 10);
  saveBlob(data, filenameFromResponse(response, `customers-${today}.${format}`));
}
