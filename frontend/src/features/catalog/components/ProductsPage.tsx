import { Button, Card, Group, MultiSelect, Select } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconPlus } from "@tabler/icons-react";
import { usePermission } from "@/api";
import { ListFooter, PageHeader, QueryState, SearchBox } from "@/components";
import { useUrlParams } from "@/lib/useUrlParams";
import { useProducts, type ProductListQuery } from "../api";
import { BILLING_PERIODS, BILLING_PERIOD_LABELS, CATEGORIES, CATEGORY_LABELS } from "../constants";
import { ProductFormModal } from "./ProductForm";
import { ProductsTable } from "./ProductsTable";

const PARAMS = ["page", "page_size", "q", "category", "enabled", "billing_period", "sort"] as const;
const DEFAULT_PAGE_SIZE = 25;

export function ProductsPage() {
  const [params, setParams] = useUrlParams(PARAMS);
  const [creating, { open: openCreate, close: closeCreate }] = useDisclosure(false);
  const canWrite = usePermission("product.write");

  const page = Number(params.page) || 1;
  const pageSize = Number(params.page_size) || DEFAULT_PAGE_SIZE;
  const query: ProductListQuery = {
    q: params.q || undefined,
    category: params.category ? (params.category.split(",") as NonNullable<ProductListQuery["category"]>) : undefined,
    enabled: params.enabled === "true" ? true : params.enabled === "false" ? false : undefined,
    billing_period: (params.billing_period || undefined) as ProductListQuery["billing_period"],
    sort: params.sort || undefined,
    page,
    page_size: pageSize,
  };
  const products = useProducts(query);

  return (
    <>
      <PageHeader
        title="Products"
        description="Tariffs, bundles, add-ons and promotions."
        actions={
          canWrite && (
            <Button leftSection={<IconPlus size={16} />} onClick={openCreate} data-testid="product-new">
              New product
            </Button>
          )
        }
      />
      <Card withBorder radius="md" padding="md">
        <Group mb="md" gap="sm" wrap="wrap">
          <SearchBox
            value={params.q}
            onSearch={(q) => setParams({ q })}
            placeholder="Search name, slug, description…"
            testId="product-search"
          />
          <MultiSelect
            placeholder={params.category ? undefined : "Category"}
            data={CATEGORIES.map((value) => ({ value, label: CATEGORY_LABELS[value] }))}
            value={params.category ? params.category.split(",") : []}
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
        </Group>
        <QueryState query={products}>
          {({ items }) => (
            <ProductsTable
              products={items}
              sort={params.sort}
              onSort={(sort) => setParams({ sort })}
              loading={products.isPlaceholderData}
            />
          )}
        </QueryState>
        <ListFooter
          pagination={products.data?.pagination}
          pageSize={pageSize}
          noun="products"
          onPage={(p) => setParams({ page: p === 1 ? null : p })}
          onPageSize={(size) => setParams({ page_size: size === DEFAULT_PAGE_SIZE ? null : size })}
        />
      </Card>
      <ProductFormModal opened={creating} onClose={closeCreate} />
    </>
  );
}
