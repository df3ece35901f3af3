/** Names for the inventory shapes, derived from the generated contract (see src/api/types.ts). */
import type { BodyOf, QueryOf, ResponseOf } from "@/api";

type Item<T> = T extends readonly (infer I)[] ? I : T;

export type InventoryItem = Item<ResponseOf<"/crm/inventory/", "get">>;
export type InventoryDetail = ResponseOf<"/crm/inventory/{inventory_id}", "get">;
export type InventoryHistory = InventoryDetail["history"][number];
export type InventoryListQuery = QueryOf<"/crm/inventory/", "get">;
export type ItemState = InventoryItem["item_state"];
export type StockLevel = Item<ResponseOf<"/crm/inventory/stock", "get">>;
export type InventoryTemplate = ResponseOf<"/crm/inventory/template/{inventory_template_id}", "get">;
export type ReserveBody = BodyOf<"/crm/inventory/{inventory_id}/reserve", "post">;
export type AssignBody = BodyOf<"/crm/inventory/{inventory_id}/assign", "post">;
export type ReturnBody = BodyOf<"/crm/inventory/{inventory_id}/return", "post">;
export type TransitionBody = BodyOf<"/crm/inventory/{inventory_id}/release", "post">;
export type TemplateCreateBody = BodyOf<"/crm/inventory/template/", "post">;
export type TemplateUpdateBody = BodyOf<"/crm/inventory/template/{inventory_template_id}", "patch">;
export type ItemCreateBody = BodyOf<"/crm/inventory/", "post">;
export type SerialKind = InventoryTemplate["serial_kind"];
