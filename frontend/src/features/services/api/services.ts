/** Services: list, read, and the lifecycle actions (suspend, resume, terminate). */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, unwrapPage } from "@/api";
import { serviceKeys } from "./keys";
import type { ServiceDetail, ServiceListQuery } from "./types";

export function useServices(query: ServiceListQuery, enabled = true) {
  return useQuery({
    queryKey: serviceKeys.list(query),
    enabled,
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/service/", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useService(serviceId: number, enabled = true) {
  return useQuery({
    queryKey: serviceKeys.detail(serviceId),
    enabled,
    queryFn: ({ signal }) =>
      unwrap(api.GET("/crm/service/{service_id}", { params: { path: { service_id: serviceId } }, signal })),
  });
}

export type ServiceAction = "suspend" | "resume" | "terminate";

function postAction(serviceId: number, action: ServiceAction, reason: string) {
  const init = { params: { path: { service_id: serviceId } }, body: { reason } };
  switch (action) {
    case "suspend":
      return unwrap(api.POST("/crm/service/{service_id}/suspend", init));
    case "resume":
      return unwrap(api.POST("/crm/service/{service_id}/resume", init));
    case "terminate":
      return unwrap(api.POST("/crm/service/{service_id}/terminate", init));
  }
}

/** A lifecycle action with its (required) reason; the server answers with the service. */
export function useServiceAction(serviceId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ action, reason }: { action: ServiceAction; reason: string }) =>
      postAction(serviceId, action, reason),
    onSuccess: (service: ServiceDetail) => {
      queryClient.setQueryData(serviceKeys.detail(serviceId), service);
      // Bundle children, the contract and the bound inventory follow the service.
      void queryClient.invalidateQueries({ queryKey: ["contracts"] });
      void queryClient.invalidateQueries({ queryKey: ["inventory"] });
      return queryClient.invalidateQueries({ queryKey: serviceKeys.all });
    },
  });
}
