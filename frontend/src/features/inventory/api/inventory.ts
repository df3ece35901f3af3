/** Inventory: stock levels, templates, items and their lifecycle actions. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { api, unwrap, unwrapPage } from "@/api";
import { inventoryKeys } from "./keys";
import type {
  AssignBody,
  InventoryDetail,
  InventoryItem,
  InventoryListQuery,
  InventoryTemplate,
  ItemCreateBody,
  ReserveBody,
  ReturnBody,
  TemplateCreateBody,
  TemplateUpdateBody,
  TransitionBody,
} from "./types";

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

/** Create a template (item type); the templates list and the import page's choices refresh. */
export function useCreateTemplate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TemplateCreateBody) => unwrap(api.POST("/crm/inventory/template/", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: inventoryKeys.templates() }),
  });
}

/** Rename or relabel a template (built-in ones keep their name and serial kind). */
export function useUpdateTemplate(templateId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: TemplateUpdateBody) =>
      unwrap(
        api.PATCH("/crm/inventory/template/{inventory_template_id}", {
          params: { path: { inventory_template_id: templateId } },
          body,
        }),
      ),
    onSuccess: (template: InventoryTemplate) => {
      queryClient.setQueryData(inventoryKeys.template(templateId), template);
      // Items show their template's name; stock levels are per template.
      return queryClient.invalidateQueries({ queryKey: inventoryKeys.all });
    },
  });
}

/** Add one item to stock (state new), validated as an import row is. */
export function useCreateItem() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ItemCreateBody) => unwrap(api.POST("/crm/inventory/", { body })),
    onSuccess: (item: InventoryItem) => {
      void queryClient.invalidateQueries({ queryKey: inventoryKeys.lists() });
      void queryClient.invalidateQueries({ queryKey: inventoryKeys.stock() });
      return item;
    },
  });
}
