/**
 * Change a live service's plan: POST /crm/service/{service_id}/change-plan.
 *
 * The endpoint is newer than the generated contract (`src/api/schema.d.ts`), whose typed client
 * refuses paths it does not know. `PlanChangePaths` declares this one operation as
 * openapi-typescript would, and the app's client (with its auth and refresh) is viewed through
 * it. Once the contract is regenerated, `api.POST("/crm/service/{service_id}/change-plan")`
 * types the same call and this declaration can go.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { Client } from "openapi-fetch";
import { api, unwrap } from "@/api";
import type { paths } from "@/api/schema";
import { serviceKeys } from "./keys";
import type { ServiceDetail } from "./types";

export interface ChangePlanBody {
  /** The standalone product to move to (not the service's own). */
  product_id: number;
  /** Why (optional, at most 500 characters): kept in the activity log. */
  reason?: string | null;
}

type ServiceDetailJson = paths["/crm/service/{service_id}"]["get"]["responses"][200]["content"]["application/json"];
type ServicePath = { query?: never; header?: never; path: { service_id: number }; cookie?: never };

interface PlanChangePaths {
  "/crm/service/{service_id}/change-plan": {
    parameters: ServicePath;
    post: {
      parameters: ServicePath;
      requestBody: { content: { "application/json": ChangePlanBody } };
      responses: {
        200: { headers: { [name: string]: unknown }; content: { "application/json": ServiceDetailJson } };
      };
    };
  };
}

const planClient = api as unknown as Client<PlanChangePaths>;

export function changePlan(serviceId: number, body: ChangePlanBody): Promise<ServiceDetail> {
  return unwrap(
    planClient.POST("/crm/service/{service_id}/change-plan", { params: { path: { service_id: serviceId } }, body }),
  );
}

/** Move the service to another product; its prices and allowances follow, so its queries are refreshed. */
export function useChangePlan(serviceId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ChangePlanBody) => changePlan(serviceId, body),
    onSuccess: (service: ServiceDetail) => {
      queryClient.setQueryData(serviceKeys.detail(serviceId), service);
      return queryClient.invalidateQueries({ queryKey: serviceKeys.all });
    },
  });
}
