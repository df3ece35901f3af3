import { Button, MultiSelect, Select } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconPlus } from "@tabler/icons-react";
import { usePermission } from "@/api";
import { ListPage, SearchBox } from "@/components";
import { listOf, useListParams } from "@/lib/listParams";
import { useProducts, type BillingPeriod, type ProductCategory } from "../api";
import { BILLING_PERIODS, BILLING_PERIOD_LABELS, CATEGORIES, CATEGORY_LABELS } from "../constants";
import { ProductFormModal } from "./ProductForm";
import { ProductsTable } from "./ProductsTable";

const FILTERS = ["q", "category", "enabled", "billing_period"] as const;

export function ProductsPage() {
  const list = useListParams(FILTERS);
  const { params, setParams } = list;
  const [creating, { open: openCreate, close: closeCreate }] = useDisclosure(false);
  const canWrite = usePermission("product.write");

  const products = useProducts({
    q: params.q || undefined,
    category: listOf<NonNullable<ProductCategory>>(params.category),
    enabled: params.enabled === "true" ? true : params.enabled === "false" ? false : undefined,
    billing_period: (params.billing_period || undefined) as BillingPeriod | undefined,
    ...list.paging,
  });

  return (
    <>
      <ListPage
        title="Products"
        description="Tariffs, bundles, add-ons and promotions."
        actions={
          canWrite && (
            <Button leftSection={<IconPlus size={16} />} onClick={openCreate} data-testid="product-new">
              New product
            </Button>
          )
        }
        query={products}
        list={list}
        noun="products"
        filters={
          <>
            <SearchBox
              value={params.q}
              onSearch={(q) => setParams({ q })}
              placeholder="Search name, slug, description…"
              testId="product-search"
            />
            <MultiSelect
              placeholder={params.category ? undefined : "Category"}
              data={CATEGORIES.map((value) => ({ value, label: CATEGORY_LABELS[value] }))}
              value={listOf(params.category) ?? []}
              onChange={(v) => setParams({ category: v.join(",") })}
              clearable
              miw={180}
              maw={360}
              data-testid="product-filter-category"
            />
            <Select
              placeholder="Enabled or disabled"
              data={[
                { value: "true", label: "Enabled" },
                { value: "false", label: "Disabled" },
              ]}
              value={params.enabled || null}
              onChange={(v) => setParams({ enabled: v })}
              clearable
              w={170}
              data-testid="product-filter-enabled"
            />
            <Select
              placeholder="Billing period"
              data={BILLING_PERIODS.map((value) => ({ value, label: BILLING_PERIOD_LABELS[value] }))}
              value={params.billing_period || null}
              onChange={(v) => setParams({ billing_period: v })}
              clearable
              w={150}
              data-testid="product-filter-billing-period"
            />
          </>
        }
      >
        {(rows, loading) => <ProductsTable products={rows} sort={list.sort} onSort={list.setSort} loading={loading} />}
      </ListPage>
      <ProductFormModal opened={creating} onClose={closeCreate} />
    </>
  );
}
