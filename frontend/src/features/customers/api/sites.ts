/** Sites (service addresses) of one customer; the server geocodes them. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, unwrapPage, type SiteCreate, type SiteUpdate } from "@/api";
import { customerKeys } from "./keys";

export function useSites(customerId: number) {
  return useQuery({
    queryKey: customerKeys.sites(customerId),
    queryFn: ({ signal }) =>
      unwrapPage(api.GET("/crm/site/", { params: { query: { customer_id: customerId, page_size: 100 } }, signal })),
  });
}

export function useSaveSite(customerId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ siteId, body }: { siteId?: number; body: Omit<SiteCreate, "customer_id"> }) =>
      siteId === undefined
        ? unwrap(api.POST("/crm/site/", { body: { ...body, customer_id: customerId } }))
        : unwrap(api.PATCH("/crm/site/{site_id}", { params: { path: { site_id: siteId } }, body: body as SiteUpdate })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: customerKeys.sites(customerId) }),
  });
}

export function useDeleteSite(customerId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (siteId: number) =>
      unwrap(api.DELETE("/crm/site/{site_id}", { params: { path: { site_id: siteId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: customerKeys.sites(customerId) }),
  });
}
