/**
 * Names for the catalog shapes, derived from the generated contract like `src/api/types.ts`
 * (kept here so this feature owns them; move them there when convenient).
 */
import type { BodyOf, QueryOf, ResponseOf } from "@/api";

export type Product = ResponseOf<"/crm/product/{product_id}", "get">;
export type ProductCreate = BodyOf<"/crm/product/", "post">;
export type ProductUpdate = BodyOf<"/crm/product/{product_id}", "patch">;
export type ProductListQuery = QueryOf<"/crm/product/", "get">;
export type ProductCategory = Product["category"];
export type BillingPeriod = Product["billing_period"];
