/** Inventory: stock levels, templates, items and their lifecycle actions. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { api, unwrap, unwrapPage } from "@/api";
import { inventoryKeys } from "./keys";
import type { AssignBody, InventoryDetail, InventoryListQuery, ReserveBody, ReturnBody, TransitionBody } from "./types";

export function useStock() {
  return useQuery({
    queryKey: inventoryKeys.stock(),
    queryFn: ({ signal }) => unwrap(api.GET("/crm/inventory/stock", { signal })),
  });
}

/** Every template (there are a handful; the API's largest page is 100). */
export function useTemplates() {
  return useQuery({
    queryKey: inventoryKeys.templates(),
    queryFn: async ({ signal }) =>
      (
        await unwrapPage(
          api.GET("/crm/inventory/template/", { params: { query: { page_size: 100, sort: "item" } }, signal }),
        )
      ).items,
    staleTime: 5 * 60_000,
  });
}

export function useTemplate(templateId: number | undefined) {
  return useQuery({
    queryKey: inventoryKeys.template(templateId ?? 0),
    enabled: templateId !== undefined,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/crm/inventory/template/{inventory_template_id}", {
          params: { path: { inventory_template_id: templateId ?? 0 } },
          signal,
        }),
      ),
    staleTime: 5 * 60_000,
  });
}

export function useInventoryItems(query: InventoryListQuery) {
  return useQuery({
    queryKey: inventoryKeys.list(query),
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/inventory/", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useInventoryItem(inventoryId: number) {
  return useQuery({
    queryKey: inventoryKeys.detail(inventoryId),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/crm/inventory/{inventory_id}", { params: { path: { inventory_id: inventoryId } }, signal })),
  });
}

export type TransitionRequest =
  | { action: "reserve"; body: ReserveBody }
  | { action: "assign"; body: AssignBody }
  | { action: "return"; body: ReturnBody }
  | { action: "retire"; body: TransitionBody }
  | { action: "release"; body: TransitionBody };

export type TransitionAction = TransitionRequest["action"];

function postTransition(inventoryId: number, request: TransitionRequest) {
  const params = { path: { inventory_id: inventoryId } };
  switch (request.action) {
    case "reserve":
      return unwrap(api.POST("/crm/inventory/{inventory_id}/reserve", { params, body: request.body }));
    case "assign":
      return unwrap(api.POST("/crm/inventory/{inventory_id}/assign", { params, body: request.body }));
    case "return":
      return unwrap(api.POST("/crm/inventory/{inventory_id}/return", { params, body: request.body }));
    case "retire":
      return unwrap(api.POST("/crm/inventory/{inventory_id}/retire", { params, body: request.body }));
    case "release":
      return unwrap(api.POST("/crm/inventory/{inventory_id}/release", { params, body: request.body }));
  }
}

/** A lifecycle action; the server answers with the item and its history. */
export function useTransition(inventoryId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: TransitionRequest) => postTransition(inventoryId, request),
    onSuccess: (item: InventoryDetail) => {
      queryClient.setQueryData(inventoryKeys.detail(inventoryId), item);
      void queryClient.invalidateQueries({ queryKey: inventoryKeys.lists() });
      return queryClient.invalidateQueries({ queryKey: inventoryKeys.stock() });
    },
  });
}

/** After an import: stock and lists are stale. (A stable function, for effects.) */
export function useInvalidateInventory() {
  const queryClient = useQueryClient();
  return useCallback(() => queryClient.invalidateQueries({ queryKey: inventoryKeys.all }), [queryClient]);
}
