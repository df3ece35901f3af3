/** Names for the contract shapes, derived from the generated contract (see src/api/types.ts). */
import type { BodyOf, QueryOf, ResponseOf } from "@/api";

type Item<T> = T extends readonly (infer I)[] ? I : T;

export type Contract = ResponseOf<"/crm/contract/{contract_id}", "get">;
export type ContractListItem = Item<ResponseOf<"/crm/contract/", "get">>;
export type ContractCreate = BodyOf<"/crm/contract/", "post">;
export type ContractListQuery = QueryOf<"/crm/contract/", "get">;
export type ContractStatus = Contract["contract_status"];
export type ContractCharge = Contract["charges"][number];
