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

// Charging (docs/charging.md): a service's balances, top-ups and ledger.
export type ServiceBalances = ResponseOf<"/crm/service/{service_id}/balance", "get">;
export type Balance = ServiceBalances["balances"][number];
export type BalanceType = Balance["balance_type"];
export type Movement = ResponseOf<"/crm/service/{service_id}/topup", "post">;
export type MovementCause = Movement["cause"];
export type LedgerQuery = QueryOf<"/crm/service/{service_id}/ledger", "get">;
export type TopUpBody = BodyOf<"/crm/service/{service_id}/topup", "post">;
export type AddonSaleBody = BodyOf<"/crm/service/{service_id}/addon", "post">;
export type AddonSold = ResponseOf<"/crm/service/{service_id}/addon", "post">;
/** Rated usage summed by type, or by day and type (`group_by=day`); units and money as decimal strings. */
export type UsageQuery = QueryOf<"/crm/service/{service_id}/usage", "get">;
export type UsageTotal = Item<ResponseOf<"/crm/service/{service_id}/usage", "get">>;
export type UsageType = UsageTotal["usage_type"];
