import { RemoteSelect, useRemoteSearch, type PickerProps } from "@/components";
import { useProduct, useProducts } from "../api";
import type { ProductCategory, ProductListQuery } from "../api";

interface ProductSelectProps extends PickerProps {
  /** Only these categories (all when omitted). */
  categories?: NonNullable<ProductCategory>[];
  /** Only enabled (sellable) products; all when omitted. */
  enabledOnly?: boolean;
}

const PAGE_SIZE = 20;

/**
 * Pick a product by name, slug or description: the API searches as you type (300 ms after the
 * last key), 20 at a time. The chosen one is shown by name even when the search no longer lists
 * it.
 */
export function ProductSelect({
  placeholder = "Search products…",
  categories,
  enabledOnly,
  ...props
}: ProductSelectProps) {
  const { value, disabled } = props;
  const chosen = useProduct(value ?? 0, value !== null);
  const chosenName = chosen.data?.product_name;
  const remote = useRemoteSearch(chosenName);
  const query: ProductListQuery = { q: remote.q, page_size: PAGE_SIZE, sort: "product_name" };
  if (categories) query.category = categories;
  if (enabledOnly) query.enabled = true;
  const found = useProducts(query, remote.opened && !disabled);

  return (
    <RemoteSelect
      {...props}
      placeholder={placeholder}
      remote={remote}
      items={(found.data?.items ?? []).map((p) => ({ value: p.product_id, label: p.product_name }))}
      fetching={found.isFetching}
      chosenLabel={chosenName ?? `Product #${value}`}
      noun="product"
    />
  );
}
