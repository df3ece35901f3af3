/** Products: list, read, create, update, disable (DELETE). */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, unwrapPage } from "@/api";
import { productKeys } from "./keys";
import type { Product, ProductCategory, ProductCreate, ProductListQuery, ProductUpdate } from "./types";

export function useProducts(query: ProductListQuery, enabled = true) {
  return useQuery({
    queryKey: productKeys.list(query),
    enabled,
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/product/", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

/**
 * Products offered in the pickers (bundle children, add-on compatibility, promo target): the
 * first 100 of the given categories by name (the API's largest page).
 */
export function useProductOptions(categories: NonNullable<ProductCategory>[], enabled = true) {
  return useProducts({ category: categories, page_size: 100, sort: "product_name" }, enabled);
}

export function useProduct(productId: number, enabled = true) {
  return useQuery({
    queryKey: productKeys.detail(productId),
    enabled,
    queryFn: ({ signal }) =>
      unwrap(api.GET("/crm/product/{product_id}", { params: { path: { product_id: productId } }, signal })),
  });
}

/** Inventory template names for `inventory_items_list` (needs inventory.read; [] when refused). */
export function useTemplateNames() {
  return useQuery({
    queryKey: productKeys.templateNames(),
    queryFn: async ({ signal }) => {
      const page = await unwrapPage(
        api.GET("/crm/inventory/template/", { params: { query: { page_size: 100, sort: "item" } }, signal }),
      );
      return page.items.map((t) => t.item);
    },
    staleTime: 5 * 60_000,
  });
}

export function useCreateProduct() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ProductCreate) => unwrap(api.POST("/crm/product/", { body })),
    onSuccess: (product: Product) => {
      queryClient.setQueryData(productKeys.detail(product.product_id), product);
      return queryClient.invalidateQueries({ queryKey: productKeys.lists() });
    },
  });
}

export function useUpdateProduct(productId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ProductUpdate) =>
      unwrap(api.PATCH("/crm/product/{product_id}", { params: { path: { product_id: productId } }, body })),
    onSuccess: (product: Product) => {
      queryClient.setQueryData(productKeys.detail(productId), product);
      return queryClient.invalidateQueries({ queryKey: productKeys.lists() });
    },
  });
}

/** DELETE disables: the product stays readable and listed with enabled=false. */
export function useDisableProduct(productId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE("/crm/product/{product_id}", { params: { path: { product_id: productId } } })),
    onSuccess: (product: Product) => {
      queryClient.setQueryData(productKeys.detail(productId), product);
      return queryClient.invalidateQueries({ queryKey: productKeys.lists() });
    },
  });
}
