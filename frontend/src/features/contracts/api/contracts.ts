/** Contracts: list, read, sell (GetSim), lifecycle actions and the PDF. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, toApiError, unwrap, unwrapPage } from "@/api";
import { filenameFromResponse, saveBlob } from "@/lib/download";
import { contractKeys } from "./keys";
import type { Contract, ContractCreate, ContractListQuery } from "./types";

export function useContracts(query: ContractListQuery, enabled = true) {
  return useQuery({
    queryKey: contractKeys.list(query),
    enabled,
    queryFn: ({ signal }) => unwrapPage(api.GET("/crm/contract/", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useContract(contractId: number) {
  return useQuery({
    queryKey: contractKeys.detail(contractId),
    queryFn: ({ signal }) =>
      unwrap(api.GET("/crm/contract/{contract_id}", { params: { path: { contract_id: contractId } }, signal })),
  });
}

/**
 * Sell: POST /crm/contract/ with an Idempotency-Key. The caller generates the key once per
 * wizard run, so a double click or a retry after a lost response replays the first contract
 * instead of selling twice.
 */
export function useCreateContract() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, idempotencyKey }: { body: ContractCreate; idempotencyKey: string }) =>
      unwrap(api.POST("/crm/contract/", { body, params: { header: { "Idempotency-Key": idempotencyKey } } })),
    onSuccess: (contract: Contract) => {
      queryClient.setQueryData(contractKeys.detail(contract.contract_id), contract);
      void queryClient.invalidateQueries({ queryKey: ["services"] });
      void queryClient.invalidateQueries({ queryKey: ["inventory"] });
      return queryClient.invalidateQueries({ queryKey: contractKeys.lists() });
    },
  });
}

export type ContractAction = "suspend" | "resume" | "close";

function postAction(contractId: number, action: ContractAction, reason: string) {
  const init = { params: { path: { contract_id: contractId } }, body: { reason } };
  switch (action) {
    case "suspend":
      return unwrap(api.POST("/crm/contract/{contract_id}/suspend", init));
    case "resume":
      return unwrap(api.POST("/crm/contract/{contract_id}/resume", init));
    case "close":
      return unwrap(api.POST("/crm/contract/{contract_id}/close", init));
  }
}

export function useContractAction(contractId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ action, reason }: { action: ContractAction; reason: string }) =>
      postAction(contractId, action, reason),
    onSuccess: (contract: Contract) => {
      queryClient.setQueryData(contractKeys.detail(contractId), contract);
      // The service (and its SIM and number on close) follow the contract.
      void queryClient.invalidateQueries({ queryKey: ["services"] });
      void queryClient.invalidateQueries({ queryKey: ["inventory"] });
      return queryClient.invalidateQueries({ queryKey: contractKeys.lists() });
    },
  });
}

/** Fetch the contract PDF through the client (bearer token, refresh) and save it as a file. */
export async function downloadContractPdf(contractId: number, fallbackName: string): Promise<void> {
  const { data, error, response } = await api.GET("/crm/contract/{contract_id}/pdf", {
    params: { path: { contract_id: contractId } },
    parseAs: "blob",
  });
  if (!response.ok || !data) throw toApiError(error, response);
  saveBlob(data, filenameFromResponse(response, fallbackName));
}
