/** Names for the service shapes, derived from the generated contract (see src/api/types.ts). */
import type { BodyOf, QueryOf, ResponseOf } from "@/api";

type Item<T> = T extends readonly (infer I)[] ? I : T;

export type Service = Item<ResponseOf<"/crm/service/", "get">>;
export type ServiceDetail = ResponseOf<"/crm/service/{service_id}", "get">;
export type ServiceListQuery = QueryOf<"/crm/service/", "get">;
export type ServiceStatus = Service["service_status"];
export type StatusChange = ServiceDetail["status_history"][number];
export type BoundItem = ServiceDetail["inventory"][number];
export type ReasonBody = BodyOf<"/crm/service/{service_id}/suspend", "post">;
